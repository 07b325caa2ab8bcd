package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.nn.Module;
import dev.panamax.nn.MultiheadAttention;
import dev.panamax.nn.Parameter;
import dev.panamax.nn.TransformerEncoderLayer;
import dev.panamax.ops.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Attention is composed of ops, so it runs on CUDA unchanged: scaled dot-product attention with
 * masks, MultiheadAttention with a key padding mask and both TransformerEncoderLayer variants
 * agree with the CPU on outputs and every gradient.
 */
@Tag("gpu")
class CudaAttentionGpuTest {
    /** CudaParity's comparison at 10× its float32 tolerances: a composed layer chains many ops. */
    private static void assertClose(Tensor expected, Tensor actual, String what) {
        CudaParity.assertClose(what, expected, actual, 10);
    }

    @Test
    void scaledDotProductAttentionWithCausalAndBooleanMasks() {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(new Generator(1), 2, 3, 5, 8).requiresGrad(true);
            Tensor k = Tensor.randn(new Generator(2), 2, 3, 7, 8).requiresGrad(true);
            Tensor v = Tensor.randn(new Generator(3), 2, 3, 7, 4).requiresGrad(true);
            Tensor mask = Tensor.rand(new Generator(4), 5, 7).gt(0.3);
            List<Tensor> cpuIn = List.of(q, k, v);
            List<Tensor> gpuIn = cpuIn.stream().map(t -> t.detach().to(gpu).requiresGrad(true)).toList();
            for (boolean causal : new boolean[] {false, true}) {
                Tensor m = causal ? null : mask;
                Tensor a = Attention.scaledDotProductAttention(q, k, v, m, 0, causal, null, null);
                Tensor b = Attention.scaledDotProductAttention(gpuIn.get(0), gpuIn.get(1), gpuIn.get(2), m == null ? null : m.to(gpu), 0,
                        causal, null, null);
                assertEquals(gpu, b.device());
                assertClose(a, b, "output (causal " + causal + ")");
                a.square().sum().backward();
                b.square().sum().backward();
                for (int i = 0; i < 3; i++) {
                    assertClose(cpuIn.get(i).grad(), gpuIn.get(i).grad(), "gradient " + "qkv".charAt(i) + " (causal " + causal + ")");
                    cpuIn.get(i).zeroGrad();
                    gpuIn.get(i).zeroGrad();
                }
            }
        }
        Leaks.assertNoneSince(before, "scaled dot-product attention on " + gpu);
    }

    @Test
    void fusedAttentionOverLongRows() {
        // float32 without mask or dropout takes Backend.attention on both devices; 130 queries and 300 keys
        // span several of the CPU kernel's blocks and of the CUDA kernels' key tiles
        compareFused(new long[] {2, 130, 16}, new long[] {2, 300, 16}, new long[] {2, 300, 8});
    }

    @Test
    void fusedAttentionWithRowsSpreadOverSeveralLanes() {
        // head size 70 spreads a row over four lanes (64 rows a block): 300 queries make five query blocks,
        // more queries than keys puts the causal diagonal inside the key range, Ev differs from E, and
        // neither is a whole number of the float4s the CUDA kernels read
        compareFused(new long[] {1, 300, 70}, new long[] {1, 70, 70}, new long[] {1, 70, 37});
    }

    @Test
    void headsTooLargeForTheFusedKernelsAreComposed() {
        compareFused(new long[] {1, 5, 1100}, new long[] {1, 7, 1100}, new long[] {1, 7, 16});
    }

    private static void compareFused(long[] queryShape, long[] keyShape, long[] valueShape) {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        try (Scope s = Scope.open()) {
            List<Tensor> cpuIn = List.of(Tensor.randn(new Generator(5), queryShape), Tensor.randn(new Generator(6), keyShape),
                    Tensor.randn(new Generator(7), valueShape));
            for (boolean causal : new boolean[] {false, true}) {
                List<Tensor> cpu = cpuIn.stream().map(t -> t.detach().requiresGrad(true)).toList();
                List<Tensor> dev = cpuIn.stream().map(t -> t.detach().to(gpu).requiresGrad(true)).toList();
                Tensor a = Attention.scaledDotProductAttention(cpu.get(0), cpu.get(1), cpu.get(2), null, 0, causal, 0.3, null);
                Tensor b = Attention.scaledDotProductAttention(dev.get(0), dev.get(1), dev.get(2), null, 0, causal, 0.3, null);
                assertClose(a, b, "output (causal " + causal + ")");
                a.square().sum().backward();
                b.square().sum().backward();
                for (int i = 0; i < 3; i++) {
                    assertClose(cpu.get(i).grad(), dev.get(i).grad(), "gradient " + "qkv".charAt(i) + " (causal " + causal + ")");
                }
            }
        }
        Leaks.assertNoneSince(before, "fused attention on " + gpu);
    }

    private static <M extends Module> void compareModules(Function<Generator, M> build, long[] inputShape,
                                                          BiFunction<M, Tensor, Tensor> forward) {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        try (M cpu = build.apply(new Generator(5)); M dev = build.apply(new Generator(5)); Scope s = Scope.open()) {
            cpu.eval();
            dev.eval();
            dev.to(gpu);
            Tensor x = Tensor.randn(new Generator(6), inputShape).requiresGrad(true);
            Tensor xd = x.detach().to(gpu).requiresGrad(true);
            Tensor a = forward.apply(cpu, x);
            Tensor b = forward.apply(dev, xd);
            assertEquals(gpu, b.device());
            assertClose(a, b, "output");
            a.square().sum().backward();
            b.square().sum().backward();
            assertClose(x.grad(), xd.grad(), "input gradient");
            List<Parameter> pc = cpu.namedParameters();
            List<Parameter> pd = dev.namedParameters();
            for (int i = 0; i < pc.size(); i++) {
                assertClose(pc.get(i).tensor().grad(), pd.get(i).tensor().grad(), pc.get(i).name() + " gradient");
            }
        }
        Leaks.assertNoneSince(before, "attention layers on " + gpu);
    }

    @Test
    void multiheadAttentionWithKeyPaddingMask() {
        compareModules(g -> new MultiheadAttention(16, 4, 0.0, true, 16, 16, true, g), new long[] {3, 6, 16}, (m, x) -> {
            Device d = x.device();
            try (Tensor padding = Tensor.of(new float[] {0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, 3, 6).to(DType.BOOL);
                 Tensor onDevice = padding.to(d);
                 MultiheadAttention.Output out = m.forward(x, x, x, onDevice, false, null, true, false)) {
                return out.output().alias();
            }
        });
    }

    @Test
    void transformerEncoderLayerPostAndPreNorm() {
        for (boolean normFirst : new boolean[] {false, true}) {
            compareModules(g -> new TransformerEncoderLayer(16, 4, 32, 0.0, normFirst ? "gelu" : "relu", 1e-5, true, normFirst, true, g),
                    new long[] {2, 5, 16}, (m, x) -> m.forward(x, null, null, true));
        }
    }
}
