package dev.panamax.detection;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;

/** The two resizes of {@code torch.nn.functional.interpolate} that detection needs. */
final class Resize {
    private Resize() {}

    /**
     * Nearest-neighbour resize of [N, C, H, W] to outH × outW ({@code mode="nearest"}: source index
     * floor(dst · in / out)); differentiable, as the FPN's top-down path needs.
     */
    static Tensor nearest(Tensor x, long outH, long outW) {
        try (Tensor rows = nearestIndex(x.size(2), outH); Tensor cols = nearestIndex(x.size(3), outW);
             Tensor tall = x.indexSelect(2, rows)) {
            return tall.indexSelect(3, cols);
        }
    }

    private static Tensor nearestIndex(long in, long out) {
        float scale = (float) in / out;
        long[] index = new long[(int) out];
        for (int d = 0; d < out; d++) {
            index[d] = Math.min((long) Math.floor(d * scale), in - 1);
        }
        return Tensor.of(index, out);
    }

    /**
     * Bilinear resize of an image [C, H, W] to outH × outW ({@code mode="bilinear",
     * align_corners=False}: source coordinate (dst + 0.5) · in / out - 0.5, clamped at 0). Computed
     * on the host: images are inputs, never differentiated.
     */
    static Tensor bilinear(Tensor image, int outH, int outW) {
        int channels = (int) image.size(0);
        int inH = (int) image.size(1);
        int inW = (int) image.size(2);
        float[] in = image.toFloatArray();
        float[] out = new float[channels * outH * outW];
        Taps ys = Taps.of(inH, outH);
        Taps xs = Taps.of(inW, outW);
        for (int c = 0; c < channels; c++) {
            int plane = c * inH * inW;
            for (int y = 0; y < outH; y++) {
                int row0 = plane + ys.low[y] * inW;
                int row1 = plane + ys.high[y] * inW;
                float wy = ys.weight[y];
                for (int x = 0; x < outW; x++) {
                    float wx = xs.weight[x];
                    float top = (1 - wx) * in[row0 + xs.low[x]] + wx * in[row0 + xs.high[x]];
                    float bottom = (1 - wx) * in[row1 + xs.low[x]] + wx * in[row1 + xs.high[x]];
                    out[(c * outH + y) * outW + x] = (1 - wy) * top + wy * bottom;
                }
            }
        }
        Tensor result = Tensor.of(out, channels, outH, outW);
        return image.dtype() == DType.FLOAT32 ? result : convert(result, image.dtype());
    }

    private static Tensor convert(Tensor t, DType dtype) {
        try (t) {
            return t.to(dtype);
        }
    }

    /** Per output index: the two source indices and the weight of the second. */
    private record Taps(int[] low, int[] high, float[] weight) {
        static Taps of(int in, int out) {
            float scale = (float) in / out;
            int[] low = new int[out];
            int[] high = new int[out];
            float[] weight = new float[out];
            for (int d = 0; d < out; d++) {
                float src = Math.max((d + 0.5f) * scale - 0.5f, 0f);
                low[d] = Math.min((int) src, in - 1);
                high[d] = Math.min(low[d] + 1, in - 1);
                weight[d] = src - low[d];
            }
            return new Taps(low, high, weight);
        }
    }
}
