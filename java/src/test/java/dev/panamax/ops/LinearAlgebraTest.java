package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.Autograd;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefLinearAlgebra;
import dev.panamax.testing.RefShapeOps;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** matmul in every rank combination and layout, and linear, against a naive double reference. */
class LinearAlgebraTest {
    private Scope scope;
    private final Generator gen = new Generator(23);

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private Tensor randn(long... shape) {
        return Tensor.randn(gen, shape);
    }

    private void checkMatmul(String name, Tensor a, Tensor b) {
        OpCheck.check("matmul " + name, x -> x[0].matmul(x[1]), r -> RefLinearAlgebra.matmul(r[0], r[1]), a, b);
    }

    @Test
    void vectorAndMatrixRanks() {
        checkMatmul("1-D @ 1-D", randn(5), randn(5));
        checkMatmul("1-D @ 2-D", randn(4), randn(4, 3));
        checkMatmul("2-D @ 1-D", randn(3, 4), randn(4));
        checkMatmul("2-D @ 2-D", randn(3, 4), randn(4, 5));
        checkMatmul("1-D @ 3-D", randn(4), randn(2, 4, 3));
        checkMatmul("3-D @ 1-D", randn(2, 3, 4), randn(4));
        assertArrayEquals(new long[0], randn(5).matmul(randn(5)).shape().toArray());
        assertArrayEquals(new long[] {3}, randn(4).matmul(randn(4, 3)).shape().toArray());
        assertArrayEquals(new long[] {3}, randn(3, 4).matmul(randn(4)).shape().toArray());
        assertArrayEquals(new long[] {2, 3}, randn(4).matmul(randn(2, 4, 3)).shape().toArray());
        assertArrayEquals(new long[] {2, 3}, randn(2, 3, 4).matmul(randn(4)).shape().toArray());
    }

    @Test
    void batchedAndBroadcastBatches() {
        checkMatmul("3-D @ 3-D", randn(2, 3, 4), randn(2, 4, 5));
        checkMatmul("[2, 1, 3, 4] @ [5, 4, 6]", randn(2, 1, 3, 4), randn(5, 4, 6));
        checkMatmul("[7, 3, 4] @ [4, 5]", randn(7, 3, 4), randn(4, 5));
        checkMatmul("[3, 4] @ [2, 4, 5]", randn(3, 4), randn(2, 4, 5));
        checkMatmul("[1, 3, 4] @ [2, 4, 2]", randn(1, 3, 4), randn(2, 4, 2));
        checkMatmul("[2, 1, 2, 3] @ [1, 3, 3, 2]", randn(2, 1, 2, 3), randn(1, 3, 3, 2));
        assertArrayEquals(new long[] {2, 5, 3, 6}, randn(2, 1, 3, 4).matmul(randn(5, 4, 6)).shape().toArray());
        assertArrayEquals(new long[] {7, 3, 5}, randn(7, 3, 4).matmul(randn(4, 5)).shape().toArray());
    }

    @Test
    void transposedAndStridedOperands() {
        Tensor a = randn(4, 3);
        Tensor b = randn(5, 4);
        OpCheck.check("A^T @ B^T", x -> x[0].t().matmul(x[1].t()),
                r -> RefLinearAlgebra.matmul(RefShapeOps.transpose(r[0], 0, 1), RefShapeOps.transpose(r[1], 0, 1)), a, b);
        OpCheck.check("A^T @ B", x -> x[0].t().matmul(x[1]),
                r -> RefLinearAlgebra.matmul(RefShapeOps.transpose(r[0], 0, 1), r[1]), a, randn(4, 6));
        OpCheck.check("strided A @ strided B", x -> OpCheck.strided(x[0]).matmul(OpCheck.strided(x[1])),
                r -> RefLinearAlgebra.matmul(r[0], r[1]), randn(3, 4), randn(4, 5));
        OpCheck.check("column slice @ row slice", x -> x[0].slice(1, 1, 9, 2).matmul(x[1].slice(0, 0, 8, 2)),
                r -> RefLinearAlgebra.matmul(RefShapeOps.slice(r[0], 1, 1, 9, 2), RefShapeOps.slice(r[1], 0, 0, 8, 2)),
                randn(3, 9), randn(8, 3));
        // batched views: transposed matrices, a permuted batch (batch dims do not collapse), an expanded batch
        OpCheck.check("batched transposes", x -> x[0].transpose(1, 2).matmul(x[1].transpose(-1, -2)),
                r -> RefLinearAlgebra.matmul(RefShapeOps.transpose(r[0], 1, 2), RefShapeOps.transpose(r[1], 1, 2)),
                randn(2, 4, 3), randn(2, 5, 4));
        OpCheck.check("permuted batch", x -> x[0].permute(1, 0, 2, 3).matmul(x[1]),
                r -> RefLinearAlgebra.matmul(RefShapeOps.permute(r[0], 1, 0, 2, 3), r[1]), randn(3, 2, 2, 4), randn(4, 2));
        OpCheck.check("expanded batch", x -> x[0].expand(3, 2, 4).matmul(x[1]),
                r -> RefLinearAlgebra.matmul(RefShapeOps.expand(r[0], 3, 2, 4), r[1]), randn(1, 2, 4), randn(3, 4, 2));
        OpCheck.check("selected batch entry", x -> x[0].select(0, 1).matmul(x[1].select(2, 0)),
                r -> RefLinearAlgebra.matmul(RefShapeOps.select(r[0], 0, 1), RefShapeOps.select(r[1], 2, 0)),
                randn(2, 3, 4), randn(4, 2, 2));
    }

    @Test
    void oddSizes() {
        checkMatmul("1x1 @ 1x1", randn(1, 1), randn(1, 1));
        checkMatmul("7x1 @ 1x7", randn(7, 1), randn(1, 7));
        checkMatmul("1x33 @ 33x1", randn(1, 33), randn(33, 1));
        checkMatmul("7x5 @ 5x3", randn(7, 5), randn(5, 3));
        checkMatmul("batch 1", randn(1, 1, 7), randn(1, 7, 1));
    }

    /** Forward and gradients of a product too big for finite differences, against the reference products. */
    private void checkLarge(String name, Tensor a, Tensor b, Supplier<Tensor[]> views, java.util.function.Function<Ref[], Ref[]> refViews) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor la = a.to(t).requiresGrad(true);
                Tensor lb = b.to(t).requiresGrad(true);
                Tensor[] v = viewsOf(la, lb, views);
                Tensor out = v[0].matmul(v[1]);
                Ref[] rv = refViews.apply(new Ref[] {Ref.of(a), Ref.of(b)});
                Ref expected = RefLinearAlgebra.matmul(rv[0], rv[1]);
                long k = rv[0].shape[rv[0].rank() - 1];
                boolean f32 = t == DType.FLOAT32;
                double tol = f32 ? 1e-5 * Math.sqrt(k) * 4 : 1e-12 * k;
                OpCheck.assertClose(name + " forward " + t.pyName(), expected, Ref.of(out), tol, f32 ? 1e-4 : 1e-10);
                // d(sum(out * w)) / dA = w @ B^T and / dB = A^T @ w, computed by the reference on the logical operands
                Tensor w = Tensor.randn(new Generator(3), out.shape().toArray()).to(t);
                out.mul(w).sum().backward();
                Ref rw = Ref.of(w);
                Ref ga = sumToShape(RefLinearAlgebra.matmul(rw, RefShapeOps.transpose(rv[1], -1, -2)), rv[0].shape);
                Ref gb = sumToShape(RefLinearAlgebra.matmul(RefShapeOps.transpose(rv[0], -1, -2), rw), rv[1].shape);
                Ref gotA = viewGradient(la, views, 0);
                Ref gotB = viewGradient(lb, views, 1);
                long n = rv[1].shape[rv[1].rank() - 1];
                long m = rv[0].shape[rv[0].rank() - 2];
                OpCheck.assertClose(name + " grad A " + t.pyName(), ga, gotA, f32 ? 1e-5 * Math.sqrt(n) * 4 : 1e-12 * n, f32 ? 1e-4 : 1e-10);
                OpCheck.assertClose(name + " grad B " + t.pyName(), gb, gotB, f32 ? 1e-5 * Math.sqrt(m) * 4 : 1e-12 * m, f32 ? 1e-4 : 1e-10);
            }
        }
    }

    /** Sums a per-batch gradient over the leading batch dims an operand did not have. */
    private static Ref sumToShape(Ref g, long[] shape) {
        int extra = g.rank() - shape.length;
        if (extra == 0) {
            return g;
        }
        int[] dims = new int[extra];
        for (int i = 0; i < extra; i++) {
            dims[i] = i;
        }
        return dev.panamax.testing.RefReductions.sum(g, dims, false);
    }

    private static Tensor[] viewsOf(Tensor a, Tensor b, Supplier<Tensor[]> views) {
        CURRENT[0] = a;
        CURRENT[1] = b;
        return views.get();
    }

    /** The leaves the view functions read (set before each use). */
    private static final Tensor[] CURRENT = new Tensor[2];

    /** The gradient of leaf k seen through the same view as the operand (so it matches the logical reference). */
    private static Ref viewGradient(Tensor leaf, Supplier<Tensor[]> views, int k) {
        Tensor g = leaf.grad();
        CURRENT[0] = k == 0 ? g : CURRENT[0];
        CURRENT[1] = k == 1 ? g : CURRENT[1];
        Tensor[] v = views.get();
        return Ref.of(v[k]);
    }

    @Test
    void largeProductsAndTheirGradients() {
        checkLarge("[1000, 33] @ [33, 20]", randn(1000, 33), randn(33, 20),
                () -> new Tensor[] {CURRENT[0], CURRENT[1]}, r -> r);
        checkLarge("[80, 257]^T-stored @ [257, 70]^T-stored", randn(257, 80), randn(70, 257),
                () -> new Tensor[] {CURRENT[0].t(), CURRENT[1].t()},
                r -> new Ref[] {RefShapeOps.transpose(r[0], 0, 1), RefShapeOps.transpose(r[1], 0, 1)});
        checkLarge("batched [6, 70, 33] @ [33, 65]", randn(6, 70, 33), randn(33, 65),
                () -> new Tensor[] {CURRENT[0], CURRENT[1]}, r -> r);
    }

    @Test
    void zeroSizedProducts() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor a = Tensor.zeros(t, 3, 0).requiresGrad(true);
            Tensor b = Tensor.zeros(t, 0, 4).requiresGrad(true);
            Tensor p = a.matmul(b);
            assertArrayEquals(new long[] {3, 4}, p.shape().toArray());
            assertArrayEquals(new double[12], p.toDoubleArray(), "a sum over k = 0 is 0");
            p.sum().backward();
            assertArrayEquals(new long[] {3, 0}, a.grad().shape().toArray());
            assertArrayEquals(new long[] {0, 4}, randn(0, 3).to(t).matmul(randn(3, 4).to(t)).shape().toArray());
            assertArrayEquals(new long[] {2, 0, 5}, randn(2, 0, 3).to(t).matmul(randn(3, 5).to(t)).shape().toArray());
            assertArrayEquals(new long[] {0, 2, 5}, randn(0, 2, 3).to(t).matmul(randn(3, 5).to(t)).shape().toArray());
            assertEquals(0.0, Tensor.zeros(t, 0).matmul(Tensor.zeros(t, 0)).item());
        }
    }

    @Test
    void linearWithAndWithoutBias() {
        Tensor x = randn(2, 3, 4);
        Tensor w = randn(5, 4);
        Tensor b = randn(5);
        OpCheck.check("linear with bias", t -> LinearAlgebra.linear(t[0], t[1], t[2]),
                r -> RefLinearAlgebra.linear(r[0], r[1], r[2]), x, w, b);
        OpCheck.check("linear without bias", t -> LinearAlgebra.linear(t[0], t[1], null),
                r -> RefLinearAlgebra.linear(r[0], r[1], null), x, w);
        OpCheck.check("linear on a vector", t -> LinearAlgebra.linear(t[0], t[1], t[2]),
                r -> RefLinearAlgebra.linear(r[0], r[1], r[2]), randn(4), w, b);
        OpCheck.check("linear on a transposed input", t -> LinearAlgebra.linear(t[0].t(), t[1], t[2]),
                r -> RefLinearAlgebra.linear(RefShapeOps.transpose(r[0], 0, 1), r[1], r[2]), randn(4, 6), w, b);
        assertArrayEquals(new long[] {2, 3, 5}, LinearAlgebra.linear(x, w, b).shape().toArray());
    }

    /**
     * A transposed dense operand (linear's weight.t()) gets its gradient in its own layout, so the weight's gradient
     * reaches it contiguous without a strided copy; the values are the reference's either way, and an operand
     * without that layout keeps the row-major gradient.
     */
    @Test
    void gradientOfATransposedOperandComesInItsLayout() {
        Tensor x = randn(7, 4);
        Tensor wt = randn(5, 4).t().requiresGrad(true); // a leaf laid out as linear's weight.t()
        Tensor w = randn(5, 4).requiresGrad(true);
        Tensor y = x.matmul(wt);
        Tensor[] g = Autograd.grad(y, Tensor.onesLike(y), false, false, wt);
        assertArrayEquals(wt.strides(), g[0].strides(), "the gradient of w.t() is laid out as w.t()");
        double[] expected = new double[4 * 5];
        double[] xs = x.toDoubleArray();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                for (int r = 0; r < 7; r++) {
                    expected[i * 5 + j] += xs[r * 4 + i];
                }
            }
        }
        assertArrayEquals(expected, g[0].toDoubleArray(), 1e-5, "xᵀ · ones");
        Tensor yw = x.matmul(w.t());
        yw.backward(Tensor.onesLike(yw));
        assertTrue(w.grad().isContiguous());
        assertArrayEquals(RefShapeOps.transpose(Ref.of(g[0]), 0, 1).data, w.grad().toDoubleArray(), 0, "w's gradient is g's transpose");
        Tensor v = randn(4, 5).requiresGrad(true);
        Tensor z = x.matmul(v);
        Tensor[] gv = Autograd.grad(z, Tensor.onesLike(z), false, false, v);
        assertTrue(gv[0].isContiguous(), "a row-major operand's gradient stays row-major");
    }

    @Test
    void badArguments() {
        var inner = assertThrows(IllegalArgumentException.class, () -> randn(2, 3).matmul(randn(4, 5)));
        assertTrue(inner.getMessage().startsWith("matmul:") && inner.getMessage().contains("[2, 3]") && inner.getMessage().contains("[4, 5]"),
                inner.getMessage());
        var vec = assertThrows(IllegalArgumentException.class, () -> randn(3).matmul(randn(4)));
        assertTrue(vec.getMessage().startsWith("matmul:") && vec.getMessage().contains("[3]") && vec.getMessage().contains("[4]"),
                vec.getMessage());
        var mv = assertThrows(IllegalArgumentException.class, () -> randn(2, 3).matmul(randn(4)));
        assertTrue(mv.getMessage().contains("[2, 3]") && mv.getMessage().contains("[4]"), mv.getMessage());
        var batch = assertThrows(IllegalArgumentException.class, () -> randn(2, 3, 4).matmul(randn(3, 4, 5)));
        assertTrue(batch.getMessage().startsWith("matmul") && batch.getMessage().contains("[2]") && batch.getMessage().contains("[3]"),
                batch.getMessage());
        var scalar = assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(2).matmul(randn(2)));
        assertTrue(scalar.getMessage().startsWith("matmul:") && scalar.getMessage().contains("[]"), scalar.getMessage());
        var ints = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new int[] {1, 2, 3, 4}, 2, 2).matmul(Tensor.of(new int[] {1, 2, 3, 4}, 2, 2)));
        assertTrue(ints.getMessage().startsWith("matmul:") && ints.getMessage().contains("int32"), ints.getMessage());
        var mixed = assertThrows(IllegalArgumentException.class, () -> randn(2, 2).matmul(randn(2, 2).to(DType.FLOAT64)));
        assertTrue(mixed.getMessage().contains("float32") && mixed.getMessage().contains("float64"), mixed.getMessage());
        var intVec = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new long[] {1, 2}, 2).matmul(Tensor.of(new long[] {1, 2}, 2)));
        assertTrue(intVec.getMessage().startsWith("matmul:") && intVec.getMessage().contains("int64"), intVec.getMessage());
        var lw = assertThrows(IllegalArgumentException.class, () -> LinearAlgebra.linear(randn(2, 4), randn(4), null));
        assertTrue(lw.getMessage().startsWith("linear:") && lw.getMessage().contains("[4]"), lw.getMessage());
        var lin = assertThrows(IllegalArgumentException.class, () -> LinearAlgebra.linear(randn(2, 3), randn(5, 4), null));
        assertTrue(lin.getMessage().startsWith("linear:") && lin.getMessage().contains("[2, 3]") && lin.getMessage().contains("[5, 4]"),
                lin.getMessage());
        var lint = assertThrows(IllegalArgumentException.class,
                () -> LinearAlgebra.linear(Tensor.of(new int[] {1, 2}, 1, 2), Tensor.of(new int[] {1, 2}, 1, 2), null));
        assertTrue(lint.getMessage().startsWith("linear:") && lint.getMessage().contains("int32"), lint.getMessage());
        var lb = assertThrows(IllegalArgumentException.class, () -> LinearAlgebra.linear(randn(2, 4), randn(5, 4), randn(4)));
        assertTrue(lb.getMessage().startsWith("linear:") && lb.getMessage().contains("[4]"), lb.getMessage());
    }

    private static float[] withThreads(int threads, Supplier<Tensor> f) {
        return CpuThreads.call(threads, () -> {
            try (Tensor t = f.get()) {
                return t.toFloatArray();
            }
        });
    }

    private static void assertSameBits(String what, Supplier<Tensor> f) {
        float[] first = withThreads(1, f);
        for (int rep = 0; rep < 3; rep++) {
            int threads = 1 + rep % 2;
            float[] again = withThreads(threads, f);
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
        // 200 * 130 * 150 = 3.9M multiply-adds: above the GEMM's two-thread threshold
        Tensor a = randn(200, 130);
        Tensor b = randn(130, 150);
        assertSameBits("[200, 130] @ [130, 150]", () -> a.matmul(b));
        assertSameBits("transposed", () -> b.t().matmul(a.t()));
        Tensor ba = randn(40, 17, 33);
        Tensor bb = randn(40, 33, 19);
        assertSameBits("batched small", () -> ba.matmul(bb));
        Tensor big = randn(4, 100, 120);
        assertSameBits("batched large with a shared B", () -> big.matmul(b.narrow(0, 0, 120)));
        // gradients run the same GEMMs on transposed views
        assertSameBits("gradient of A", () -> {
            Tensor la = a.detach().requiresGrad(true);
            la.matmul(b).sum().backward();
            return la.grad().alias();
        });
        Tensor sa = randn(2, 3, 4);
        assertFalse(sa.matmul(randn(4, 5)).isClosed());
    }
}
