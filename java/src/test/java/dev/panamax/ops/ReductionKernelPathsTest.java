package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefReductions;
import dev.panamax.testing.RefShapeOps;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CPU reduction kernel's three paths with sizes around and above its 4096-element float
 * block and its 2048-output tile: "inner" (each output reduces dense runs: row sums), "outer"
 * (outputs dense, the reduction walks over them: column sums, bias gradients) and "general"
 * (anything else: strided, float64, integers). Results are compared with the double reference
 * directly (no finite differences at these sizes), and must not depend on the thread count.
 */
class ReductionKernelPathsTest {
    /** float32 blocked accumulation: relative error bound used for large sums (stated, not fitted). */
    private static final double F32_SUM_RTOL = 2e-6;

    private Scope scope;
    private final Generator gen = new Generator(5);

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private void checkSum(String name, Tensor x, Supplier<Tensor> viewOfX, Ref logical, int[] dims, boolean keep) {
        Ref expected = RefReductions.sum(logical, dims, keep);
        Tensor got = Reduction.sum(viewOfX.get(), dims, keep);
        OpCheck.assertClose(name + " sum " + Arrays.toString(dims) + " " + x.dtype().pyName(), expected, Ref.of(got),
                x.dtype() == DType.FLOAT32 ? 2e-3 : 1e-9, x.dtype() == DType.FLOAT32 ? 1e-5 : 1e-12);
    }

    @Test
    void innerPathRowSumsAcrossTheBlockSize() {
        for (long cols : new long[] {1, 7, 4095, 4096, 4097, 5000, 8192 + 33}) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor x = Tensor.randn(gen, 3, cols).to(t);
                Ref r = Ref.of(x);
                checkSum("[3, " + cols + "]", x, () -> x, r, new int[] {1}, false);
                checkSum("[3, " + cols + "] keep", x, () -> x, r, new int[] {-1}, true);
                OpCheck.assertClose("mean [3, " + cols + "]", RefReductions.mean(r, new int[] {1}, false),
                        Ref.of(x.mean(new int[] {1}, false)), 1e-5, 1e-5);
            }
        }
    }

    @Test
    void innerPathWithSeveralRunsPerOutput() {
        // [N, C, H, W] over {0, 2, 3}: each output (a channel) reduces N dense runs of H*W
        for (long[] s : new long[][] {{4, 3, 33, 35}, {2, 5, 64, 65}, {3, 2, 1, 1}}) {
            Tensor x = Tensor.randn(gen, s).to(DType.FLOAT32);
            Ref r = Ref.of(x);
            for (int[] dims : new int[][] {{0, 2, 3}, {2, 3}, {0, 3}, {1, 3}}) {
                checkSum(Arrays.toString(s), x, () -> x, r, dims, false);
                checkSum(Arrays.toString(s), x, () -> x, r, dims, true);
            }
            OpCheck.assertClose("logsumexp " + Arrays.toString(s), RefReductions.logsumexp(r, new int[] {0, 2, 3}, true),
                    Ref.of(x.logsumexp(new int[] {0, 2, 3}, true)), 1e-4, 1e-5);
        }
    }

    @Test
    void outerPathColumnSumsAcrossTileAndBlock() {
        // columns around the 2048 tile; rows (the reduced count) around the 4096 block
        for (long[] s : new long[][] {{5, 2047}, {5, 2048}, {3, 2049}, {2, 4100}, {4095, 3}, {4097, 5}, {9000, 2}, {300, 1001}}) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor x = Tensor.randn(gen, s).to(t);
                Ref r = Ref.of(x);
                checkSum(Arrays.toString(s), x, () -> x, r, new int[] {0}, false);
                checkSum(Arrays.toString(s), x, () -> x, r, new int[] {0}, true);
                OpCheck.assertClose("max via logsumexp " + Arrays.toString(s), RefReductions.logsumexp(r, new int[] {0}, false),
                        Ref.of(x.logsumexp(new int[] {0}, false)), 1e-4, 1e-5);
            }
        }
        // [N, C, H, W] over N only: outputs dense over C*H*W
        Tensor x = Tensor.randn(gen, 6, 3, 30, 31);
        checkSum("[6, 3, 30, 31]", x, () -> x, Ref.of(x), new int[] {0}, false);
    }

    @Test
    void permutedAndTransposedInputsTakeTheOtherPaths() {
        // x is [C, N] in memory and seen as [N, C] (strides [1, N]): a sum over N is then an inner
        // reduction, a sum over C an outer one
        for (long[] s : new long[][] {{2049, 7}, {7, 4100}, {300, 1001}}) {
            Tensor stored = Tensor.randn(gen, s);
            Ref logical = RefShapeOps.transpose(Ref.of(stored), 0, 1);
            for (int[] dims : new int[][] {{0}, {1}, {0, 1}}) {
                checkSum("transposed " + Arrays.toString(s), stored, () -> stored.t(), logical, dims, false);
            }
        }
        Tensor nchw = Tensor.randn(gen, 2, 3, 40, 50);
        Tensor nhwc = nchw.permute(0, 2, 3, 1).contiguous();
        // seen as NCHW again: channels have stride 1
        Ref logical = Ref.of(nchw);
        for (int[] dims : new int[][] {{0, 2, 3}, {1}, {3}, {0, 1}}) {
            checkSum("channels-last", nhwc, () -> nhwc.permute(0, 3, 1, 2), logical, dims, false);
        }
    }

    @Test
    void generalPathStridedExpandedAndInteger() {
        Tensor x = Tensor.randn(gen, 70, 130);
        Ref r = Ref.of(x);
        for (int[] dims : new int[][] {{0}, {1}, null}) {
            checkSum("strided", x, () -> OpCheck.strided(x), r, dims, false);
            checkSum("every other column", x, () -> x.slice(1, 1, 130, 2), RefShapeOps.slice(r, 1, 1, 130, 2), dims, true);
        }
        Tensor col = Tensor.randn(gen, 5000, 1);
        Ref expanded = RefShapeOps.expand(Ref.of(col), 5000, 3);
        checkSum("expanded", col, () -> col.expand(5000, 3), expanded, new int[] {0}, false);
        checkSum("expanded", col, () -> col.expand(5000, 3), expanded, new int[] {1}, false);
        Tensor ints = Tensor.randint(gen, -1000, 1000, 300, 1001);
        long[] v = ints.toLongArray();
        long[] rowSums = new long[300];
        long[] colSums = new long[1001];
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 1001; j++) {
                rowSums[i] += v[i * 1001 + j];
                colSums[j] += v[i * 1001 + j];
            }
        }
        assertArrayEquals(rowSums, ints.sum(1).toLongArray());
        assertArrayEquals(colSums, ints.sum(0).toLongArray());
        assertArrayEquals(colSums, ints.to(DType.INT32).sum(0).toLongArray());
    }

    @Test
    void float32SumOfAMillionValuesDoesNotDrift() {
        // 0.1 + small noise, a million times: sequential float accumulation drifts by about 1 %,
        // the blocked kernel must stay within F32_SUM_RTOL of the double sum of the same floats
        int n = 1_000_000;
        float[] v = new float[n];
        Generator g = new Generator(3);
        float[] noise = Tensor.rand(g, n).toFloatArray();
        double exact = 0;
        float naive = 0;
        for (int i = 0; i < n; i++) {
            v[i] = 0.1f + 0.01f * noise[i];
            exact += v[i];
            naive += v[i];
        }
        Tensor x = Tensor.of(v);
        double got = x.sum().item();
        assertTrue(Math.abs(naive - exact) / exact > 1e-4, "the test data must make naive float accumulation drift");
        assertEquals(exact, got, F32_SUM_RTOL * exact, "float32 sum of 10^6 values vs the double reference");
        assertEquals(exact / n, x.mean().item(), F32_SUM_RTOL * exact / n);
        // the same through the outer path (one column of a [10^6, 1] ... made 2-wide so the outputs are dense)
        Tensor two = Tensor.stack(java.util.List.of(x, x), 1);
        double[] cols = two.sum(0).toDoubleArray();
        assertEquals(exact, cols[0], F32_SUM_RTOL * exact);
        assertEquals(exact, cols[1], F32_SUM_RTOL * exact);
    }

    private static float[] withThreads(int threads, Supplier<Tensor> f) {
        return CpuThreads.call(threads, () -> {
            try (Tensor t = f.get()) {
                return t.toFloatArray();
            }
        });
    }

    /**
     * The same bits on 1 and on 2 threads, and on every repeated call: the first call may run the
     * kernel interpreted, later ones JIT-compiled, and the result must not change when it is.
     */
    private static void assertSameBitsOnOneAndTwoThreads(String what, Supplier<Tensor> f) {
        float[] first = withThreads(1, f);
        for (int rep = 0; rep < 12; rep++) {
            int threads = 1 + rep % 2;
            float[] again = withThreads(threads, f);
            assertEquals(first.length, again.length);
            for (int i = 0; i < first.length; i++) {
                if (Float.floatToRawIntBits(first[i]) != Float.floatToRawIntBits(again[i])) {
                    throw new AssertionError(what + ": element " + i + " is " + first[i] + " on the first call (1 thread) but "
                            + again[i] + " on call " + (rep + 2) + " (" + threads + " threads)");
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Tensor big = Tensor.randn(gen, 1_000_003);
        Tensor m = Tensor.randn(gen, 300, 1001);
        assertSameBitsOnOneAndTwoThreads("sum of 1_000_003", () -> big.sum());
        assertSameBitsOnOneAndTwoThreads("mean of 1_000_003", () -> big.mean());
        assertSameBitsOnOneAndTwoThreads("[300, 1001] sum(0)", () -> m.sum(0));
        assertSameBitsOnOneAndTwoThreads("[300, 1001] sum(1)", () -> m.sum(1));
        assertSameBitsOnOneAndTwoThreads("[300, 1001] sum()", () -> m.sum());
        assertSameBitsOnOneAndTwoThreads("[300, 1001]^T sum(0)", () -> m.t().sum(0));
        assertSameBitsOnOneAndTwoThreads("[300, 1001]^T sum(1)", () -> m.t().sum(1));
        assertSameBitsOnOneAndTwoThreads("[300, 1001] logsumexp(0)", () -> m.logsumexp(new int[] {0}, false));
        assertSameBitsOnOneAndTwoThreads("[300, 1001] var(1)", () -> m.var(new int[] {1}, 1, false));
        assertSameBitsOnOneAndTwoThreads("[300, 1001] max", () -> m.max());
        assertSameBitsOnOneAndTwoThreads("[300, 1001] argmax(0)", () -> m.argmax(0, false));
        Tensor x4 = Tensor.randn(gen, 8, 16, 64, 64);
        assertSameBitsOnOneAndTwoThreads("NCHW sum {0, 2, 3}", () -> x4.sum(0, 2, 3));
        // the sums themselves are right (double reference)
        double[] v = big.toDoubleArray();
        double s = 0;
        for (double e : v) {
            s += e;
        }
        assertEquals(s, big.sum().item(), 2e-6 * Arrays.stream(v).map(Math::abs).sum());
    }

    @Test
    void gradientsOfLargeReductions() {
        // sum over dim 0 of [4097, 3]: the gradient is the upstream gradient broadcast back
        Tensor x = Tensor.randn(gen, 4097, 3).requiresGrad(true);
        Tensor w = Tensor.randn(gen, 3);
        x.sum(0).mul(w).sum().backward();
        float[] g = x.grad().toFloatArray();
        float[] wv = w.toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(wv[i % 3], g[i], "d sum(0) / dx at " + i);
        }
        Tensor y = Tensor.randn(gen, 3, 5000).requiresGrad(true);
        y.mean(new int[] {1}, true).sum().backward();
        for (float e : y.grad().toFloatArray()) {
            assertEquals(1.0 / 5000, e, 1e-9);
        }
    }
}
