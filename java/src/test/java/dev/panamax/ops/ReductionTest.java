package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradCheck;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefReductions;
import dev.panamax.testing.RefShapeOps;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reductions against the double-precision references of {@link RefReductions}, over every kind of
 * dim set, with and without keepDim, on contiguous, transposed, permuted and strided inputs.
 */
class ReductionTest {
    /** dim sets: all (null), first, last, middle, negative, two non-adjacent, all listed explicitly. */
    private static final int[][] DIMS = {null, {0}, {2}, {1}, {-1}, {0, 2}, {-3, -1}, {2, 0, 1}, {1, 2}};
    /** For the non-contiguous layouts: all, the middle, two non-adjacent, negative last (keeps GradCheck time down). */
    private static final int[][] SOME_DIMS = {null, {1}, {0, 2}, {-1}};

    private Scope scope;
    private final Generator gen = new Generator(11);

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A [3, 4, 5] input (60 elements: cheap enough for GradCheck). */
    private Tensor x345() {
        return Tensor.randn(gen, 3, 4, 5);
    }

    private interface Reduce {
        Tensor apply(Tensor x, int[] dims, boolean keepDim);
    }

    private interface RefReduce {
        Ref apply(Ref x, int[] dims, boolean keepDim);
    }

    /** Layouts the op sees the same logical [3, 4, 5] values in (the reference sees them logically). */
    private record Layout(String name, Function<Tensor, Tensor> make, Function<Ref, Ref> ref, Function<Tensor, Tensor> source) {}

    private static Layout[] layouts() {
        return new Layout[] {
            new Layout("contiguous", x -> x, r -> r, x -> x),
            // the test value is stored transposed; the op sees transpose(0, 2) of it: logically [3, 4, 5] with strides [1, 15, 3]... made by transposing back
            new Layout("transposed", x -> x.transpose(0, 2), r -> RefShapeOps.transpose(r, 0, 2), x -> x.transpose(0, 2).contiguous()),
            new Layout("permuted", x -> x.permute(1, 2, 0), r -> RefShapeOps.permute(r, 1, 2, 0), x -> x.permute(2, 0, 1).contiguous()),
            new Layout("strided", OpCheck::strided, r -> r, x -> x),
        };
    }

    private void checkAllDims(String name, Reduce op, RefReduce ref, boolean allLayouts) {
        checkDims(name, op, ref, allLayouts, DIMS);
    }

    private void checkDims(String name, Reduce op, RefReduce ref, boolean allLayouts, int[][] dimSets) {
        Tensor base = x345();
        for (Layout layout : allLayouts ? layouts() : new Layout[] {layouts()[0]}) {
            Tensor stored = layout.source().apply(base);
            boolean contiguous = layout.name().equals("contiguous");
            for (int[] dims : contiguous ? dimSets : SOME_DIMS) {
                for (boolean keep : contiguous ? new boolean[] {false, true} : new boolean[] {dims == null || dims.length == 2}) {
                    String what = name + " " + layout.name() + " dims " + Arrays.toString(dims) + " keepDim " + keep;
                    OpCheck.check(what, x -> op.apply(layout.make().apply(x[0]), dims, keep),
                            r -> ref.apply(layout.ref().apply(r[0]), dims, keep), stored);
                }
            }
        }
    }

    @Test
    void sumOverEveryDimSetAndLayout() {
        checkAllDims("sum", (x, d, k) -> x.sum(d, k), RefReductions::sum, true);
    }

    @Test
    void meanOverEveryDimSetAndLayout() {
        checkAllDims("mean", (x, d, k) -> x.mean(d, k), RefReductions::mean, true);
    }

    @Test
    void fluentSumAndMeanOverloads() {
        Tensor x = x345();
        Ref r = Ref.of(x);
        OpCheck.check("sum()", t -> t[0].sum(), t -> RefReductions.sum(t[0], null, false), x);
        OpCheck.check("sum(1, 2)", t -> t[0].sum(1, 2), t -> RefReductions.sum(t[0], new int[] {1, 2}, false), x);
        OpCheck.check("mean()", t -> t[0].mean(), t -> RefReductions.mean(t[0], null, false), x);
        OpCheck.check("mean(-2)", t -> t[0].mean(-2), t -> RefReductions.mean(t[0], new int[] {-2}, false), x);
        assertEquals(RefReductions.sum(r, null, false).data[0], x.sum().item(), 1e-4);
        // an empty dim list means all dims, as PyTorch's sum(dim=[])
        assertArrayEquals(new long[0], x.sum(new int[0], false).shape().toArray());
    }

    @Test
    void varAndStdWithCorrections() {
        for (double correction : new double[] {0, 1, 2.5}) {
            int[][] dims = correction == 1 ? DIMS : SOME_DIMS;
            checkDims("var c=" + correction, (x, d, k) -> x.var(d, correction, k), (x, d, k) -> RefReductions.var(x, d, correction, k), false, dims);
            checkDims("std c=" + correction, (x, d, k) -> x.std(d, correction, k), (x, d, k) -> RefReductions.std(x, d, correction, k), false, dims);
        }
        Tensor x = x345();
        OpCheck.check("var permuted", t -> t[0].permute(2, 0, 1).var(new int[] {0, 2}, 1, true),
                t -> RefReductions.var(RefShapeOps.permute(t[0], 2, 0, 1), new int[] {0, 2}, 1, true), x);
        OpCheck.check("std strided", t -> OpCheck.strided(t[0]).std(new int[] {-1}, 1, false),
                t -> RefReductions.std(t[0], new int[] {-1}, 1, false), x);
        OpCheck.check("var()", t -> t[0].var(), t -> RefReductions.var(t[0], null, 1, false), x);
        OpCheck.check("std()", t -> t[0].std(), t -> RefReductions.std(t[0], null, 1, false), x);
    }

    @Test
    void varWithCorrectionAtOrAboveTheCountIsInfinite() {
        Tensor x = Tensor.of(new float[] {1, 2, 4, 8, 3, 3}, 2, 3);
        // divisor max(0, n - correction) = 0: a positive sum of squares over 0 is +inf, 0 / 0 is NaN
        assertEquals(Double.POSITIVE_INFINITY, x.var(null, 6, false).item());
        assertEquals(Double.POSITIVE_INFINITY, x.var(null, 10, false).item());
        assertEquals(Double.POSITIVE_INFINITY, x.var(new int[] {1}, 3, false).toDoubleArray()[0]);
        assertEquals(Double.POSITIVE_INFINITY, x.std(new int[] {1}, 4, false).toDoubleArray()[1]);
        try (Tensor same = Tensor.full(2.0, 4)) {
            assertTrue(Double.isNaN(same.var(null, 4, false).item()));
        }
        // correction 0 on one element is 0; correction 1 on one element is NaN (0/0), as PyTorch
        Tensor one = Tensor.of(5f);
        assertEquals(0.0, one.var(null, 0, false).item());
        assertTrue(Double.isNaN(one.var().item()));
    }

    @Test
    void logsumexpOverEveryDimSetAndLayout() {
        checkAllDims("logsumexp", (x, d, k) -> x.logsumexp(d, k), RefReductions::logsumexp, true);
    }

    @Test
    void logsumexpIsStableAndHandlesInfinities() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double ninf = Double.NEGATIVE_INFINITY;
            double[] v = {1e4, 1e4 - 1, 1e4 + 0.5, -1e4, -1e4 - 2, -1e4 + 1, ninf, ninf, ninf, 0, ninf, 3};
            Tensor x = Tensor.of(v, 4, 3).to(t);
            Ref expected = RefReductions.logsumexp(new Ref(v, 4, 3), new int[] {1}, false);
            assertTrue(Double.isFinite(expected.data[0]) && expected.data[2] == ninf);
            OpCheck.assertClose("logsumexp ±1e4 " + t.pyName(), expected, Ref.of(x.logsumexp(new int[] {1}, false)), 1e-3, 1e-6);
            Tensor kept = x.logsumexp(new int[] {-1}, true);
            assertArrayEquals(new long[] {4, 1}, kept.shape().toArray());
            assertEquals(ninf, kept.get(2, 0));
            // over dim 0 (the outer-dense kernel path) and all dims
            OpCheck.assertClose("logsumexp dim 0 " + t.pyName(), RefReductions.logsumexp(new Ref(v, 4, 3), new int[] {0}, false),
                    Ref.of(x.logsumexp(new int[] {0}, false)), 1e-3, 1e-6);
            assertEquals(RefReductions.logsumexp(v), x.logsumexp(null, false).item(), 1e-2);
            try (Tensor pinf = Tensor.of(new double[] {1, Double.POSITIVE_INFINITY, 2}, 3).to(t)) {
                assertEquals(Double.POSITIVE_INFINITY, pinf.logsumexp(null, false).item());
            }
        }
        // the gradient is softmax even at ±1e4 (no overflow)
        Tensor big = Tensor.of(new double[] {1e4, 1e4 - 1, -1e4, -1e4 + 1}, 2, 2).requiresGrad(true);
        big.logsumexp(new int[] {1}, false).sum().backward();
        double e = Math.exp(-1);
        assertArrayEquals(new double[] {1 / (1 + e), e / (1 + e), e / (1 + e), 1 / (1 + e)}, big.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void prodOverDims() {
        // values in [0.5, 1.5] keep products of up to 60 factors well scaled
        Tensor x = Tensor.rand(gen, 3, 4, 5).add(0.5);
        for (int[] dims : new int[][] {null, {0}, {1}, {-1}}) {
            for (boolean keep : new boolean[] {false, true}) {
                int[] d = dims;
                if (d == null) {
                    OpCheck.check("prod()", t -> t[0].prod(), t -> RefReductions.prod(t[0], null, false), x);
                    continue;
                }
                OpCheck.check("prod dim " + d[0] + " keepDim " + keep, t -> t[0].prod(d[0], keep),
                        t -> RefReductions.prod(t[0], d, keep), x);
                OpCheck.check("prod transposed dim " + d[0], t -> t[0].transpose(0, 2).prod(d[0], keep),
                        t -> RefReductions.prod(RefShapeOps.transpose(t[0], 0, 2), d, keep), x);
            }
        }
    }

    @Test
    void prodGradientIsExactWithZeros() {
        // row 0: no zero; row 1: one zero; row 2: two zeros; row 3: all zeros
        double[] v = {2, 3, 4, 5, 2, 0, 4, 5, 0, 3, 0, 5, 0, 0, 0, 0};
        Tensor x = Tensor.of(v, 4, 4);
        OpCheck.check("prod with zeros dim 1", t -> t[0].prod(1, false), t -> RefReductions.prod(t[0], new int[] {1}, false), x);
        OpCheck.check("prod with zeros dim 0", t -> t[0].prod(0, true), t -> RefReductions.prod(t[0], new int[] {0}, true), x);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor leaf = x.to(t).requiresGrad(true);
            leaf.prod(1, false).sum().backward();
            assertArrayEquals(new double[] {60, 40, 30, 24, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, leaf.grad().toDoubleArray(),
                    "prod gradient with zeros (" + t.pyName() + ")");
            Tensor one = Tensor.of(new double[] {3, 0, 7}, 3).to(t).requiresGrad(true);
            one.prod().backward();
            assertArrayEquals(new double[] {0, 21, 0}, one.grad().toDoubleArray(), "one zero: only it gets the product of the others");
            Tensor two = Tensor.of(new double[] {0, 3, 0}, 3).to(t).requiresGrad(true);
            two.prod().backward();
            assertArrayEquals(new double[] {0, 0, 0}, two.grad().toDoubleArray(), "two zeros: the gradient is zero everywhere");
        }
    }

    @Test
    void maxAndMinOfAllElements() {
        Tensor x = x345();
        OpCheck.check("max()", t -> t[0].max(), t -> RefReductions.max(t[0], null, false), x);
        OpCheck.check("min()", t -> t[0].min(), t -> RefReductions.min(t[0], null, false), x);
        OpCheck.check("max() strided", t -> OpCheck.strided(t[0]).max(), t -> RefReductions.max(t[0], null, false), x);
        OpCheck.check("min() permuted", t -> t[0].permute(2, 1, 0).min(), t -> RefReductions.min(t[0], null, false), x);
    }

    @Test
    void maxOfAllElementsSplitsTheGradientAmongTies() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.of(new double[] {1, 3, -2, 3, 0, 3}, 2, 3).to(t).requiresGrad(true);
            Tensor m = x.max();
            assertEquals(3.0, m.item());
            m.mul(6.0).backward();
            assertArrayEquals(new double[] {0, 2, 0, 2, 0, 2}, x.grad().toDoubleArray(), "max ties share the gradient evenly");
            Tensor y = Tensor.of(new double[] {-1, -1, 5}, 3).to(t).requiresGrad(true);
            y.min().backward();
            assertArrayEquals(new double[] {0.5, 0.5, 0}, y.grad().toDoubleArray());
        }
    }

    @Test
    void maxAndMinAlongADim() {
        Tensor x = x345();
        for (int dim : new int[] {0, 1, 2, -1, -2}) {
            for (boolean keep : new boolean[] {false, true}) {
                int[] d = {dim};
                String s = " dim " + dim + " keepDim " + keep;
                OpCheck.check("max values" + s, t -> t[0].max(dim, keep).values(), t -> RefReductions.max(t[0], d, keep), x);
                OpCheck.check("min values" + s, t -> t[0].min(dim, keep).values(), t -> RefReductions.min(t[0], d, keep), x);
                OpCheck.checkForward("max indices" + s, t -> t[0].max(dim, keep).indices(), t -> RefReductions.argmax(t[0], dim, keep), x);
                OpCheck.checkForward("min indices" + s, t -> t[0].min(dim, keep).indices(), t -> RefReductions.argmin(t[0], dim, keep), x);
                OpCheck.checkForward("argmax" + s, t -> t[0].argmax(dim, keep), t -> RefReductions.argmax(t[0], dim, keep), x);
                OpCheck.checkForward("argmin" + s, t -> t[0].argmin(dim, keep), t -> RefReductions.argmin(t[0], dim, keep), x);
                OpCheck.check("max values transposed" + s, t -> t[0].transpose(0, 2).max(dim, keep).values(),
                        t -> RefReductions.max(RefShapeOps.transpose(t[0], 0, 2), d, keep), x);
                OpCheck.checkForward("argmin strided" + s, t -> OpCheck.strided(t[0]).argmin(dim, keep),
                        t -> RefReductions.argmin(t[0], dim, keep), x);
            }
        }
        Tensor i = x.max(1, false).indices();
        assertEquals(DType.INT64, i.dtype());
        OpCheck.checkForward("argmax()", t -> t[0].argmax(), t -> new Ref(new double[] {RefReductions.argmax(t[0].data)}), x);
    }

    @Test
    void maxAlongADimPicksTheFirstTieAndSendsItTheGradient() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.of(new double[] {2, 7, 7, 1, 4, 4, 4, 9, 0, 0, 0, 0}, 3, 4).to(t).requiresGrad(true);
            var max = x.max(1, false);
            assertArrayEquals(new long[] {1, 3, 0}, max.indices().toLongArray());
            assertArrayEquals(new long[] {1, 3, 0}, x.argmax(1, false).toLongArray());
            var min = x.min(1, true);
            assertArrayEquals(new long[] {3, 0, 0}, min.indices().toLongArray());
            assertArrayEquals(new long[] {3, 1}, min.indices().shape().toArray());
            max.values().sum().backward();
            assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0}, x.grad().toDoubleArray(),
                    "max along a dim sends the whole gradient to the returned index");
            // the graph keeps its own reference to the indices: closing the result first must not matter
            Tensor y = x.detach().requiresGrad(true);
            var r = y.min(0, false);
            Tensor loss = r.values().sum();
            r.indices().close();
            loss.backward();
            assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, y.grad().toDoubleArray());
        }
    }

    @Test
    void nanWinsInMaxMinAndArgmax() {
        float nan = Float.NaN;
        Tensor x = Tensor.of(new float[] {1, nan, 5, nan, 3, 4, 8, 2, 2}, 3, 3);
        assertTrue(Double.isNaN(x.max().item()));
        assertTrue(Double.isNaN(x.min().item()));
        var max = x.max(1, false);
        assertTrue(Double.isNaN(max.values().toDoubleArray()[0]));
        assertTrue(Double.isNaN(max.values().toDoubleArray()[1]));
        assertEquals(8.0, max.values().toDoubleArray()[2]);
        assertArrayEquals(new long[] {1, 0, 0}, max.indices().toLongArray(), "the first NaN's index");
        assertArrayEquals(new long[] {1, 0, 1}, x.argmin(1, false).toLongArray());
        assertArrayEquals(new long[] {1, 0, 0}, x.argmax(0, false).toLongArray());
        assertEquals(1L, x.argmax().toLongArray()[0]);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            // the gradient of a NaN max/min goes to the NaN elements, split evenly (PyTorch), not NaN everywhere
            Tensor leaf = Tensor.of(new double[] {1, Double.NaN, 3, Double.NaN}, 4).to(t).requiresGrad(true);
            leaf.max().mul(4.0).backward();
            assertArrayEquals(new double[] {0, 2, 0, 2}, leaf.grad().toDoubleArray(), "gradient of a NaN max");
            Tensor leaf2 = Tensor.of(new double[] {Double.NaN, -1, 5}, 3).to(t).requiresGrad(true);
            leaf2.min().backward();
            assertArrayEquals(new double[] {1, 0, 0}, leaf2.grad().toDoubleArray(), "gradient of a NaN min");
            // long inputs: the NaN inside a vector body, and in a scalar tail
            for (int at : new int[] {0, 50, 4096 + 17, 9999}) {
                float[] v = new float[10_000];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (i % 97) - 40;
                }
                v[at] = nan;
                Tensor big = Tensor.of(v).to(t);
                assertTrue(Double.isNaN(big.max().item()), "max with a NaN at " + at + " (" + t.pyName() + ")");
                assertTrue(Double.isNaN(big.min().item()), "min with a NaN at " + at);
                assertEquals(at, big.argmax(0, false).item(), "argmax with a NaN at " + at);
                try (Tensor cols = big.view(100, 100)) {
                    // NaN in column at % 100: the outer (column) path of the max kernel, via logsumexp's shift
                    double[] lse = cols.logsumexp(new int[] {0}, false).toDoubleArray();
                    assertTrue(Double.isNaN(lse[at % 100]));
                    assertTrue(Double.isFinite(lse[(at + 1) % 100]));
                }
            }
        }
    }

    @Test
    void integerSumsAreInt64AndExact() {
        Tensor i32 = Tensor.of(new int[] {1, -2, 3, 4, Integer.MAX_VALUE, Integer.MAX_VALUE}, 3, 2);
        Tensor s = i32.sum();
        assertEquals(DType.INT64, s.dtype());
        assertEquals(2L * Integer.MAX_VALUE + 6, s.toLongArray()[0], "int32 sum does not overflow: it accumulates in int64");
        assertArrayEquals(new long[] {-1, 7, 2L * Integer.MAX_VALUE}, i32.sum(1).toLongArray());
        assertArrayEquals(new long[] {1, 2}, i32.sum(new int[] {0}, true).shape().toArray());
        assertEquals(DType.INT64, i32.prod().dtype());
        assertArrayEquals(new long[] {-2, 12, (long) Integer.MAX_VALUE * Integer.MAX_VALUE}, i32.prod(1, false).toLongArray());
        // int64 beyond 2^53: the sum must be exact, not rounded through a double
        long big = 1L << 53;
        Tensor i64 = Tensor.of(new long[] {big, 1, 1, big, 3, -1}, 2, 3);
        assertEquals(2 * big + 4, i64.sum().toLongArray()[0]);
        assertArrayEquals(new long[] {big + 2, big + 2}, i64.sum(1).toLongArray());
        assertArrayEquals(new long[] {2 * big, 4, 0}, i64.sum(0).toLongArray());
        assertArrayEquals(new long[] {big + 2, big + 2}, i64.transpose(0, 1).sum(new int[] {0}, false).toLongArray(), "transposed int64");
        assertArrayEquals(new long[] {big * big, 3, -1}, i64.prod(0, false).toLongArray(), "int64 products wrap like int64");
        assertArrayEquals(new long[] {big, -3 * big}, i64.prod(1, false).toLongArray());
        assertEquals(Long.MAX_VALUE, Tensor.of(new long[] {Long.MAX_VALUE, 0}, 2).sum().toLongArray()[0]);
        assertEquals(Long.MIN_VALUE + 1, Tensor.of(new long[] {Long.MIN_VALUE + 1}, 1).sum().toLongArray()[0]);
        // max/min/argmax along a dim on int64 beyond 2^53: compared and returned exactly
        Tensor near = Tensor.of(new long[] {big, big + 1, big - 1, -big - 1, -big, 7}, 2, 3);
        var mx = near.max(1, false);
        assertArrayEquals(new long[] {big + 1, 7}, mx.values().toLongArray());
        assertArrayEquals(new long[] {1, 2}, mx.indices().toLongArray());
        assertArrayEquals(new long[] {big - 1, -big - 1}, near.min(1, false).values().toLongArray());
        assertArrayEquals(new long[] {2, 0}, near.argmin(1, false).toLongArray());
        assertArrayEquals(new long[] {0, 0, 0}, near.argmax(0, false).toLongArray());
        assertEquals(big + 1, near.max().toLongArray()[0]);
        assertEquals(-big - 1, near.min().toLongArray()[0]);
        Tensor bools = Tensor.of(new boolean[] {true, false, true, true}, 2, 2);
        assertEquals(DType.INT64, bools.sum().dtype());
        assertEquals(3L, bools.sum().toLongArray()[0]);
    }

    @Test
    void emptyInputs() {
        Tensor e = Tensor.zeros(0, 3);
        assertEquals(0.0, e.sum().item());
        assertArrayEquals(new double[] {0, 0, 0}, e.sum(0).toDoubleArray());
        assertArrayEquals(new long[] {0}, e.sum(1).shape().toArray());
        assertArrayEquals(new long[] {1, 3}, e.sum(new int[] {0}, true).shape().toArray());
        assertEquals(1.0, e.prod().item());
        assertTrue(Double.isNaN(e.mean().item()), "mean of nothing is NaN");
        assertEquals(Double.NEGATIVE_INFINITY, e.logsumexp(null, false).item());
        assertEquals(0L, Tensor.zeros(DType.INT64, 0).sum().toLongArray()[0]);
        var max = assertThrows(IllegalArgumentException.class, e::max);
        assertTrue(max.getMessage().startsWith("max:") && max.getMessage().contains("[0, 3]"), max.getMessage());
        var min = assertThrows(IllegalArgumentException.class, e::min);
        assertTrue(min.getMessage().startsWith("min:"), min.getMessage());
        var along = assertThrows(IllegalArgumentException.class, () -> e.max(0, false));
        assertTrue(along.getMessage().startsWith("max:") && along.getMessage().contains("size 0"), along.getMessage());
        var arg = assertThrows(IllegalArgumentException.class, e::argmax);
        assertTrue(arg.getMessage().startsWith("argmax:"), arg.getMessage());
        var argmin = assertThrows(IllegalArgumentException.class, () -> e.argmin(0, false));
        assertTrue(argmin.getMessage().startsWith("argmin:"), argmin.getMessage());
        // reducing the non-empty dim of an empty tensor is fine: the result is empty
        assertArrayEquals(new long[] {0}, e.max(1, false).values().shape().toArray());
        // gradient of a sum over an empty tensor: an empty gradient
        Tensor leaf = Tensor.zeros(0, 3).requiresGrad(true);
        leaf.sum().backward();
        assertArrayEquals(new long[] {0, 3}, leaf.grad().shape().toArray());
    }

    @Test
    void scalarInputs() {
        Tensor s = Tensor.scalar(2.5);
        OpCheck.check("sum of a scalar", t -> t[0].sum(), t -> t[0], s);
        OpCheck.check("sum(0) of a scalar", t -> t[0].sum(new int[] {0}, true), t -> t[0], s);
        OpCheck.check("max of a scalar", t -> t[0].max(), t -> t[0], s);
        OpCheck.check("max(-1) of a scalar", t -> t[0].max(-1, false).values(), t -> t[0], s);
        assertEquals(0L, s.argmax(0, false).toLongArray()[0]);
        assertThrows(IllegalArgumentException.class, () -> s.sum(1));
    }

    @Test
    void badArguments() {
        Tensor x = x345();
        var dim = assertThrows(IllegalArgumentException.class, () -> x.sum(3));
        assertTrue(dim.getMessage().startsWith("sum:") && dim.getMessage().contains("dim 3") && dim.getMessage().contains("rank 3"),
                dim.getMessage());
        var neg = assertThrows(IllegalArgumentException.class, () -> x.mean(new int[] {-4}, false));
        assertTrue(neg.getMessage().startsWith("mean:") && neg.getMessage().contains("dim -4"), neg.getMessage());
        var dup = assertThrows(IllegalArgumentException.class, () -> x.sum(0, -3));
        assertTrue(dup.getMessage().startsWith("sum:") && dup.getMessage().contains("more than once"), dup.getMessage());
        var dupLse = assertThrows(IllegalArgumentException.class, () -> x.logsumexp(new int[] {1, 1}, false));
        assertTrue(dupLse.getMessage().startsWith("logsumexp:"), dupLse.getMessage());
        var dupVar = assertThrows(IllegalArgumentException.class, () -> x.var(new int[] {2, -1}, 1, false));
        assertTrue(dupVar.getMessage().startsWith("var:"), dupVar.getMessage());
        var maxDim = assertThrows(IllegalArgumentException.class, () -> x.max(5, true));
        assertTrue(maxDim.getMessage().startsWith("max:") && maxDim.getMessage().contains("dim 5"), maxDim.getMessage());
        var argDim = assertThrows(IllegalArgumentException.class, () -> x.argmax(-4, false));
        assertTrue(argDim.getMessage().startsWith("argmax:") && argDim.getMessage().contains("dim -4"), argDim.getMessage());
        var argminDim = assertThrows(IllegalArgumentException.class, () -> x.argmin(3, false));
        assertTrue(argminDim.getMessage().startsWith("argmin:"), argminDim.getMessage());
        var prodDim = assertThrows(IllegalArgumentException.class, () -> x.prod(7, false));
        assertTrue(prodDim.getMessage().startsWith("prod:"), prodDim.getMessage());
        Tensor ints = Tensor.of(new int[] {1, 2, 3}, 3);
        for (var op : java.util.List.<java.util.Map.Entry<String, Runnable>>of(
                java.util.Map.entry("mean", () -> ints.mean()),
                java.util.Map.entry("var", () -> ints.var()),
                java.util.Map.entry("std", () -> ints.std()),
                java.util.Map.entry("logsumexp", () -> ints.logsumexp(null, false)))) {
            var e = assertThrows(IllegalArgumentException.class, op.getValue()::run);
            assertTrue(e.getMessage().startsWith(op.getKey() + ":") && e.getMessage().contains("int32"), e.getMessage());
        }
    }

    @Test
    void gradCheckThroughComposedReductions() {
        Tensor x = Tensor.randn(gen, 4, 5);
        // a softmax-like composition exercising keepDim broadcasting back
        GradCheck.check(t -> {
            Tensor m = t[0].logsumexp(new int[] {1}, true);
            return t[0].sub(m).exp().mul(t[0].mean(new int[] {0}, true)).sum(new int[] {1}, false);
        }, x);
    }
}
