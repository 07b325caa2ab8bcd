package dev.panamax.bench.gpu;

import dev.panamax.Panamax;
import dev.panamax.autograd.GradMode;
import dev.panamax.detection.Detections;
import dev.panamax.detection.FasterRCNN;
import dev.panamax.nn.LSTM;
import dev.panamax.nn.RecurrentOptions;
import dev.panamax.ops.Attention;
import dev.panamax.ops.BoxOps;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.ops.Normalization;
import dev.panamax.ops.Pooling;
import dev.panamax.ops.RoiOps;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPU speed table of issues #6, #8 and #9, Panamax's side: each case is warmed up, then timed as the
 * median of several samples, each a synchronize, a batch of runs and a synchronize. Prints
 * {@code case<TAB>milliseconds} lines (microseconds of host time for {@code tiny_relu_host_us});
 * bench/gpu/torch_bench.py prints the same cases for PyTorch and bench/gpu/device-run.sh joins them.
 *
 * <pre>java ... dev.panamax.bench.gpu.GpuBench [case ...]</pre>
 */
public final class GpuBench {
    private static final int SAMPLES = 15;

    /** One timed operation; it closes what it makes. */
    @FunctionalInterface
    private interface Body {
        void run();
    }

    private GpuBench() {}

    public static void main(String[] args) {
        String why = Device.whyNotCuda();
        if (!why.isEmpty()) {
            System.err.println("GpuBench: no usable GPU: " + why);
            System.exit(1);
        }
        Device gpu = Device.cuda(0);
        System.out.println("# " + Panamax.info().get("cuda found"));
        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put("matmul_4096_fp32", () -> matmul(gpu, false));
        cases.put("matmul_4096_tf32", () -> matmul(gpu, true));
        cases.put("conv_fwd", () -> conv(gpu, false));
        cases.put("conv_fwd_bwd", () -> conv(gpu, true));
        cases.put("batchnorm_train_fwd_bwd", () -> batchNorm(gpu));
        cases.put("maxpool_fwd", () -> maxPool(gpu));
        cases.put("relu_64Mi", () -> relu(gpu));
        cases.put("tiny_relu_host_us", () -> tinyRelu(gpu));
        cases.put("lstm_fwd", () -> lstm(gpu));
        cases.put("sdpa_fwd", () -> attention(gpu, false));
        cases.put("sdpa_fwd_bwd", () -> attention(gpu, true));
        cases.put("nms_10k", () -> nms(gpu, 10_000));
        cases.put("nms_50k", () -> nms(gpu, 50_000));
        cases.put("roi_align_fwd", () -> roiAlign(gpu, false));
        cases.put("roi_align_fwd_bwd", () -> roiAlign(gpu, true));
        cases.put("frcnn_r50fpn_fwd_800", () -> fasterRcnn(gpu));
        for (var e : cases.entrySet()) {
            if (args.length == 0 || Arrays.asList(args).contains(e.getKey())) {
                try {
                    e.getValue().run();
                } catch (RuntimeException failure) { // one broken case must not hide the others' figures
                    System.err.println("GpuBench: " + e.getKey() + " failed:");
                    failure.printStackTrace();
                }
            }
        }
    }

    /** Median milliseconds per run of body over SAMPLES samples of {@code runs} runs, after warm-up. */
    private static double time(int warmup, int runs, Body body) {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] ms = new double[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            Panamax.synchronize();
            long t0 = System.nanoTime();
            for (int r = 0; r < runs; r++) {
                body.run();
            }
            Panamax.synchronize();
            ms[s] = (System.nanoTime() - t0) / 1e6 / runs;
        }
        Arrays.sort(ms);
        return ms[SAMPLES / 2];
    }

    private static void report(String name, double value) {
        System.out.printf("%s\t%.4f%n", name, value);
    }

    private static Tensor randn(Device gpu, long... shape) {
        try (Tensor cpu = Tensor.randn(new Generator(1), shape)) {
            return cpu.to(gpu);
        }
    }

    private static void matmul(Device gpu, boolean tf32) {
        Panamax.allowTf32(tf32);
        try (Tensor a = randn(gpu, 4096, 4096); Tensor b = randn(gpu, 4096, 4096)) {
            report(tf32 ? "matmul_4096_tf32" : "matmul_4096_fp32", time(5, 10, () -> a.matmul(b).close()));
        } finally {
            Panamax.allowTf32(false);
        }
    }

    private static void conv(Device gpu, boolean backward) {
        ConvOptions o = ConvOptions.DEFAULT.padding(1);
        try (Tensor x = randn(gpu, 64, 64, 56, 56).requiresGrad(backward); Tensor w = randn(gpu, 64, 64, 3, 3).requiresGrad(backward);
             Tensor g = randn(gpu, 64, 64, 56, 56)) {
            report(backward ? "conv_fwd_bwd" : "conv_fwd", time(5, 20, () -> {
                try (Tensor y = Convolution.conv2d(x, w, null, o)) {
                    if (backward) {
                        x.zeroGrad();
                        w.zeroGrad();
                        y.backward(g);
                    }
                }
            }));
            x.zeroGrad();
            w.zeroGrad();
        }
    }

    private static void batchNorm(Device gpu) {
        try (Tensor x = randn(gpu, 64, 64, 56, 56).requiresGrad(true); Tensor weight = randn(gpu, 64).requiresGrad(true);
             Tensor bias = randn(gpu, 64).requiresGrad(true); Tensor mean = randn(gpu, 64); Tensor signedVar = randn(gpu, 64); Tensor var = signedVar.abs();
             Tensor g = randn(gpu, 64, 64, 56, 56)) {
            report("batchnorm_train_fwd_bwd", time(5, 20, () -> {
                x.zeroGrad();
                weight.zeroGrad();
                bias.zeroGrad();
                try (Tensor y = Normalization.batchNorm(x, mean, var, weight, bias, true)) {
                    y.backward(g);
                }
            }));
            x.zeroGrad();
            weight.zeroGrad();
            bias.zeroGrad();
        }
    }

    private static void maxPool(Device gpu) {
        try (Tensor x = randn(gpu, 64, 64, 112, 112)) {
            report("maxpool_fwd", time(5, 20, () -> Pooling.maxPool2d(x, 3, 2, 1).close()));
        }
    }

    private static void relu(Device gpu) {
        try (Tensor x = randn(gpu, 64L << 20)) {
            report("relu_64Mi", time(5, 20, () -> x.relu().close()));
        }
    }

    /** LSTM, 1 layer, seq 100, batch 64, hidden 512, inference. */
    private static void lstm(Device gpu) {
        try (LSTM lstm = new LSTM(512, 512, RecurrentOptions.DEFAULT, new Generator(2)); Tensor x = randn(gpu, 100, 64, 512);
             GradMode.Guard noGrad = GradMode.noGrad()) {
            lstm.to(gpu);
            report("lstm_fwd", time(3, 10, () -> lstm.forward(x).close()));
        }
    }

    /** Scaled dot-product attention, batch 4, 16 heads, length 4096, head size 64. */
    private static void attention(Device gpu, boolean backward) {
        try (Tensor q = randn(gpu, 4, 16, 4096, 64).requiresGrad(backward); Tensor k = randn(gpu, 4, 16, 4096, 64).requiresGrad(backward);
             Tensor v = randn(gpu, 4, 16, 4096, 64).requiresGrad(backward); Tensor g = randn(gpu, 4, 16, 4096, 64)) {
            report(backward ? "sdpa_fwd_bwd" : "sdpa_fwd", time(3, 5, () -> {
                try (Tensor y = Attention.scaledDotProductAttention(q, k, v)) {
                    if (backward) {
                        q.zeroGrad();
                        k.zeroGrad();
                        v.zeroGrad();
                        y.backward(g);
                    }
                }
            }));
            q.zeroGrad();
            k.zeroGrad();
            v.zeroGrad();
        }
    }

    /**
     * n boxes (x1, y1, x2, y2) with corners uniform in [0, extent) and sides uniform in
     * [extent/100, extent/100 + extent/10), as torch_bench.py draws them; with {@code batchColumn}
     * a leading column of zeros (ROI boxes of image 0).
     */
    private static Tensor boxes(Device gpu, int n, double extent, boolean batchColumn) {
        int width = batchColumn ? 5 : 4;
        float[] b = new float[n * width];
        try (Tensor u = Tensor.rand(new Generator(3), n, 4)) {
            float[] r = u.toFloatArray();
            double side = extent / 10;
            for (int i = 0; i < n; i++) {
                int o = i * width + (batchColumn ? 1 : 0);
                b[o] = (float) (extent * r[4 * i]);
                b[o + 1] = (float) (extent * r[4 * i + 1]);
                b[o + 2] = (float) (b[o] + side / 10 + side * r[4 * i + 2]);
                b[o + 3] = (float) (b[o + 1] + side / 10 + side * r[4 * i + 3]);
            }
        }
        try (Tensor cpu = Tensor.of(b, n, width)) {
            return cpu.to(gpu);
        }
    }

    /** Non-maximum suppression at IoU 0.5 (issue #9). */
    private static void nms(Device gpu, int n) {
        try (Tensor boxes = boxes(gpu, n, 1000, false); Tensor scores = randn(gpu, n)) {
            report("nms_" + n / 1000 + "k", time(3, 10, () -> BoxOps.nms(boxes, scores, 0.5).close()));
        }
    }

    /** ROI Align of 512 boxes on a [1, 256, 50, 50] map, 7×7 bins, sampling ratio 2, aligned (issue #9). */
    private static void roiAlign(Device gpu, boolean backward) {
        try (Tensor x = randn(gpu, 1, 256, 50, 50).requiresGrad(backward); Tensor rois = boxes(gpu, 512, 40, true)) {
            report(backward ? "roi_align_fwd_bwd" : "roi_align_fwd", time(3, 10, () -> {
                try (Tensor y = RoiOps.roiAlign(x, rois, 7, 7, 1.0, 2, true)) {
                    if (backward) {
                        x.zeroGrad();
                        try (Tensor sum = y.sum()) {
                            sum.backward();
                        }
                    }
                }
            }));
        }
    }

    /** Faster R-CNN R50-FPN (91 classes, initial weights) detecting in one 800×800 image (issue #9). */
    private static void fasterRcnn(Device gpu) {
        try (FasterRCNN model = FasterRCNN.resnet50Fpn(91); Tensor image = Tensor.rand(new Generator(4), 3, 800, 800).to(gpu)) {
            model.eval();
            model.to(gpu);
            report("frcnn_r50fpn_fwd_800", time(2, 3, () -> model.detect(List.of(image)).forEach(Detections::close)));
        }
    }

    /** Host time of launching a tiny op (no synchronize inside the batch): what a small-layer training loop pays per op. */
    private static void tinyRelu(Device gpu) {
        try (Tensor x = randn(gpu, 16)) { // 20,000 warm-up runs: C2 compiles the op path after about 10,000 calls
            report("tiny_relu_host_us", 1000 * time(20_000, 10_000, () -> x.relu().close()));
        }
    }
}
