package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefShapeOps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Views, copies, conversions, joins and splits: values and gradients against index-by-index references. */
class ShapeOpsTest {
    private Scope scope;
    private final Generator gen = new Generator(31);

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

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable e = assertThrows(type, call);
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p), "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    /** Writing through {@code view} must show in {@code base} (they share storage). */
    private static void assertSharesStorage(Tensor base, Tensor view) {
        try (Tensor b = base.detach(); Tensor v = view.detach()) {
            double before = b.sum().item();
            v.fill_(0);
            double zeroed = b.sum().item();
            v.fill_(1);
            double ones = b.sum().item();
            assertTrue(Math.abs(ones - zeroed - view.numel()) < 1e-3,
                    "filling the view with 1 then 0 should change the base's sum by its size; before " + before);
        }
    }

    // ---------------------------------------------------------------- view and reshape

    @Test
    void viewShapesAndGradients() {
        Tensor x = randn(3, 4, 5);
        for (long[] s : new long[][] {{12, 5}, {-1}, {5, -1, 2}, {60, 1}, {1, 3, 20}, {3, 4, 5}, {2, 1, 30, -1}}) {
            long[] resolved = s.clone();
            for (int i = 0; i < resolved.length; i++) {
                if (resolved[i] == -1) {
                    long known = 1;
                    for (long v : s) {
                        known *= v == -1 ? 1 : v;
                    }
                    resolved[i] = 60 / known;
                }
            }
            OpCheck.check("view " + java.util.Arrays.toString(s), t -> t[0].view(s), r -> RefShapeOps.reshape(r[0], resolved), x);
            Tensor v = x.view(s);
            assertArrayEquals(resolved, v.shape().toArray());
            assertEquals(x.storageOffset(), v.storageOffset());
        }
        // a view of a non-contiguous tensor where the strides allow one
        Tensor m = randn(4, 6);
        Tensor mt = m.t(); // [6, 4] strides [1, 6]
        Tensor split = mt.view(6, 2, 2);
        assertArrayEquals(new long[] {1, 12, 6}, split.strides());
        OpCheck.check("view of a transpose", t -> t[0].t().view(6, 2, 2),
                r -> RefShapeOps.reshape(RefShapeOps.transpose(r[0], 0, 1), 6, 2, 2), m);
        assertSharesStorage(m, split);
        // a view of an offset block keeps the offset
        Tensor block = x.narrow(0, 1, 2);
        assertEquals(20, block.view(-1).storageOffset());
        assertSharesStorage(x, block.view(-1));
        // views of empty tensors
        assertArrayEquals(new long[] {0, 7}, Tensor.zeros(7, 0).view(0, 7).shape().toArray());
        assertArrayEquals(new long[] {2, 0}, Tensor.zeros(0, 4).t().view(2, -1).shape().toArray());
    }

    @Test
    void viewErrors() {
        Tensor m = randn(4, 6);
        assertMessage(IllegalArgumentException.class, () -> m.t().view(-1), "view", "[6, 4]", "strides [1, 6]", "reshape");
        assertMessage(IllegalArgumentException.class, () -> m.view(-1, -1), "view", "only one dim can be -1");
        assertMessage(IllegalArgumentException.class, () -> m.view(5, 5), "view", "[5, 5]", "24");
        assertMessage(IllegalArgumentException.class, () -> m.view(-1, 5), "view", "24");
        assertMessage(IllegalArgumentException.class, () -> m.view(-2, 12), "view", "-2");
        assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).view(-1, 0), "view");
        assertMessage(IllegalArgumentException.class, () -> m.reshape(7), "reshape", "24");
    }

    @Test
    void reshapeIsAViewWhenPossibleAndACopyOtherwise() {
        Tensor x = randn(3, 4, 5);
        Tensor r = x.reshape(4, 15);
        assertEquals(x.storageOffset(), r.storageOffset());
        assertSharesStorage(x, r);
        Tensor xt = randn(4, 6).t();
        Tensor copied = xt.reshape(24);
        assertTrue(copied.isContiguous());
        double before = xt.sum().item();
        copied.detach().fill_(100);
        assertEquals(before, xt.sum().item(), 1e-4, "a reshape that could not be a view must be a copy");
        OpCheck.check("reshape (view)", t -> t[0].reshape(2, -1, 5), q -> RefShapeOps.reshape(q[0], 2, 6, 5), x);
        OpCheck.check("reshape (copy)", t -> t[0].transpose(0, 2).reshape(-1, 3),
                q -> RefShapeOps.reshape(RefShapeOps.transpose(q[0], 0, 2), 20, 3), x);
        OpCheck.check("reshape of strided (copy)", t -> OpCheck.strided(t[0]).reshape(12, 5), q -> RefShapeOps.reshape(q[0], 12, 5), x);
        OpCheck.check("reshape to scalar", t -> t[0].reshape(), q -> RefShapeOps.reshape(q[0]), randn(1, 1));
    }

    // ---------------------------------------------------------------- permute, transpose, t

    @Test
    void permuteTransposeAndT() {
        Tensor x = randn(2, 3, 4);
        OpCheck.check("permute(2, 0, 1)", t -> t[0].permute(2, 0, 1), r -> RefShapeOps.permute(r[0], 2, 0, 1), x);
        OpCheck.check("permute(-1, -3, -2)", t -> t[0].permute(-1, -3, -2), r -> RefShapeOps.permute(r[0], 2, 0, 1), x);
        OpCheck.check("transpose(0, 2)", t -> t[0].transpose(0, 2), r -> RefShapeOps.transpose(r[0], 0, 2), x);
        OpCheck.check("transpose(-1, 1)", t -> t[0].transpose(-1, 1), r -> RefShapeOps.transpose(r[0], 2, 1), x);
        OpCheck.check("t()", t -> t[0].t(), r -> RefShapeOps.transpose(r[0], 0, 1), randn(3, 5));
        OpCheck.check("t() of a vector", t -> t[0].t(), r -> r[0], randn(5));
        OpCheck.check("permute of a permute", t -> t[0].permute(1, 2, 0).permute(2, 0, 1).transpose(0, 1),
                r -> RefShapeOps.transpose(r[0], 0, 1), x);
        assertArrayEquals(new long[] {1, 12, 4}, x.permute(2, 0, 1).strides());
        assertSharesStorage(x, x.permute(1, 0, 2));
        assertMessage(IllegalArgumentException.class, () -> x.permute(0, 1), "permute", "2 dims", "rank 3");
        assertMessage(IllegalArgumentException.class, () -> x.permute(0, 1, 1), "permute", "1");
        assertMessage(IllegalArgumentException.class, () -> x.permute(0, 1, 3), "permute", "dim 3", "rank 3");
        assertMessage(IllegalArgumentException.class, () -> x.transpose(0, 3), "transpose", "dim 3", "rank 3");
        assertMessage(IllegalArgumentException.class, () -> x.t(), "t", "[2, 3, 4]");
    }

    // ---------------------------------------------------------------- narrow, slice, select

    @Test
    void narrowAndSelect() {
        Tensor x = randn(4, 5, 3);
        OpCheck.check("narrow(1, 1, 3)", t -> t[0].narrow(1, 1, 3), r -> RefShapeOps.slice(r[0], 1, 1, 4, 1), x);
        OpCheck.check("narrow(-1, -2, 2)", t -> t[0].narrow(-1, -2, 2), r -> RefShapeOps.slice(r[0], 2, 1, 3, 1), x);
        OpCheck.check("narrow to nothing", t -> t[0].narrow(0, 4, 0), r -> RefShapeOps.slice(r[0], 0, 4, 4, 1), x);
        OpCheck.check("select(1, 2)", t -> t[0].select(1, 2), r -> RefShapeOps.select(r[0], 1, 2), x);
        OpCheck.check("select(-1, -1)", t -> t[0].select(-1, -1), r -> RefShapeOps.select(r[0], 2, 2), x);
        OpCheck.check("select twice", t -> t[0].select(0, 3).select(0, 0), r -> RefShapeOps.select(RefShapeOps.select(r[0], 0, 3), 0, 0), x);
        assertEquals(x.storageOffset() + 2 * 3, x.select(1, 2).storageOffset());
        assertSharesStorage(x, x.narrow(0, 1, 2));
        assertMessage(IllegalArgumentException.class, () -> x.narrow(1, 3, 3), "narrow", "3", "size 5");
        assertMessage(IllegalArgumentException.class, () -> x.narrow(1, 0, -1), "narrow");
        assertMessage(IllegalArgumentException.class, () -> x.narrow(3, 0, 1), "narrow", "dim 3", "rank 3");
        assertMessage(IndexOutOfBoundsException.class, () -> x.select(1, 5), "select", "index 5", "size 5");
        assertMessage(IndexOutOfBoundsException.class, () -> x.select(0, -5), "select", "index -5", "size 4");
        assertMessage(IllegalArgumentException.class, () -> x.select(-4, 0), "select", "dim -4");
    }

    @Test
    void sliceHasPythonSemantics() {
        Tensor x = randn(3, 10);
        long big = Long.MAX_VALUE;
        long[][] cases = {
            {0, 10, 1}, {1, 9, 2}, {0, 10, 3}, {2, 10, 4}, {-3, 10, 1}, {-8, -2, 2}, {-100, 100, 1}, {5, 3, 1}, {7, 7, 1},
            {11, 20, 1}, {0, big, 3}, {-big, big, 1}, {3, -big, 1}, {0, 10, 9}, {0, 10, 10}, {0, 10, 11}, {1, 10, big}, {9, 10, 1},
        };
        for (long[] c : cases) {
            long s = c[0];
            long e = c[1];
            long step = c[2];
            String name = "slice(1, " + s + ", " + e + ", " + step + ")";
            long expectedLength = RefShapeOps.pythonSlice(10, s, e, step).length;
            assertEquals(expectedLength, x.slice(1, s, e, step).size(1), name + " length");
            OpCheck.check(name, t -> t[0].slice(1, s, e, step), r -> RefShapeOps.slice(r[0], 1, s, e, step), x);
        }
        OpCheck.check("slice of a slice", t -> t[0].slice(1, 1, 10, 2).slice(1, 1, 5, 2).slice(0, -2, 3, 1),
                r -> RefShapeOps.slice(RefShapeOps.slice(RefShapeOps.slice(r[0], 1, 1, 10, 2), 1, 1, 5, 2), 0, -2, 3, 1), x);
        Tensor every = x.slice(1, 1, 10, 3);
        assertArrayEquals(new long[] {10, 3}, every.strides());
        assertEquals(1, every.storageOffset());
        assertSharesStorage(x, every);
        assertMessage(IllegalArgumentException.class, () -> x.slice(1, 0, 5, 0), "slice", "step", "0");
        assertMessage(IllegalArgumentException.class, () -> x.slice(1, 0, 5, -1), "slice", "step", "-1");
        assertMessage(IllegalArgumentException.class, () -> x.slice(2, 0, 5, 1), "slice", "dim 2", "rank 2");
    }

    // ---------------------------------------------------------------- expand, squeeze, unsqueeze, flatten

    @Test
    void expand() {
        Tensor c = randn(3, 1);
        OpCheck.check("expand(3, 4)", t -> t[0].expand(3, 4), r -> RefShapeOps.expand(r[0], 3, 4), c);
        OpCheck.check("expand(2, 3, 4): new leading dim", t -> t[0].expand(2, 3, 4), r -> RefShapeOps.expand(r[0], 2, 3, 4), c);
        OpCheck.check("expand(2, -1, 5)", t -> t[0].expand(2, -1, 5), r -> RefShapeOps.expand(r[0], 2, 3, 5), c);
        OpCheck.check("expand to the same shape", t -> t[0].expand(-1, -1), r -> r[0], c);
        OpCheck.check("expand a scalar", t -> t[0].expand(2, 3), r -> RefShapeOps.expand(r[0], 2, 3), Tensor.scalar(1.5));
        OpCheck.check("expand of a transpose", t -> t[0].t().expand(4, 2, 3), r -> RefShapeOps.expand(RefShapeOps.transpose(r[0], 0, 1), 4, 2, 3),
                randn(3, 2));
        Tensor e = c.expand(2, 3, 4);
        assertArrayEquals(new long[] {0, 1, 0}, e.strides());
        assertEquals(c.storageOffset(), e.storageOffset());
        assertArrayEquals(new long[] {0, 5}, Tensor.zeros(1, 5).expand(0, 5).shape().toArray());
        assertMessage(IllegalArgumentException.class, () -> c.expand(3, 4, 2), "expand", "[3, 1]");
        assertMessage(IllegalArgumentException.class, () -> c.expand(4), "expand", "number of sizes");
        assertMessage(IllegalArgumentException.class, () -> c.expand(-1, 3, 1), "expand", "-1");
        assertMessage(IllegalArgumentException.class, () -> c.expand(4, 4), "expand", "[3, 1]", "[4, 4]");
    }

    @Test
    void squeezeUnsqueezeFlatten() {
        Tensor x = randn(1, 3, 1, 4);
        OpCheck.check("squeeze()", t -> t[0].squeeze(), r -> RefShapeOps.reshape(r[0], 3, 4), x);
        OpCheck.check("squeeze(2)", t -> t[0].squeeze(2), r -> RefShapeOps.reshape(r[0], 1, 3, 4), x);
        OpCheck.check("squeeze(-4)", t -> t[0].squeeze(-4), r -> RefShapeOps.reshape(r[0], 3, 1, 4), x);
        OpCheck.check("squeeze(1) of size 3 is a no-op", t -> t[0].squeeze(1), r -> r[0], x);
        OpCheck.check("unsqueeze(0)", t -> t[0].unsqueeze(0), r -> RefShapeOps.reshape(r[0], 1, 1, 3, 1, 4), x);
        OpCheck.check("unsqueeze(-1)", t -> t[0].unsqueeze(-1), r -> RefShapeOps.reshape(r[0], 1, 3, 1, 4, 1), x);
        OpCheck.check("unsqueeze(2)", t -> t[0].unsqueeze(2), r -> RefShapeOps.reshape(r[0], 1, 3, 1, 1, 4), x);
        OpCheck.check("squeeze of a transposed", t -> t[0].transpose(1, 3).squeeze(),
                r -> RefShapeOps.reshape(RefShapeOps.transpose(r[0], 1, 3), 4, 3), x);
        OpCheck.check("unsqueeze of a strided", t -> OpCheck.strided(t[0]).unsqueeze(1), r -> RefShapeOps.reshape(r[0], 1, 1, 3, 1, 4), x);
        Tensor xt = x.transpose(1, 3).squeeze(); // [4, 3] strides [1, 4]
        assertArrayEquals(new long[] {1, 4}, xt.strides(), "squeeze keeps the other dims' strides");
        long[] us = xt.unsqueeze(1).strides();
        assertEquals(1, us[0], "unsqueeze keeps the other dims' strides");
        assertEquals(4, us[2], "unsqueeze keeps the other dims' strides");
        assertArrayEquals(new long[0], Tensor.ones(1, 1).squeeze().shape().toArray());
        assertArrayEquals(new long[] {1}, Tensor.scalar(3).unsqueeze(0).shape().toArray());
        assertMessage(IllegalArgumentException.class, () -> x.unsqueeze(5), "unsqueeze", "dim 5");
        assertMessage(IllegalArgumentException.class, () -> x.squeeze(4), "squeeze", "dim 4");
        Tensor y = randn(2, 3, 4);
        OpCheck.check("flatten()", t -> t[0].flatten(), r -> RefShapeOps.reshape(r[0], 24), y);
        OpCheck.check("flatten(1, 2)", t -> t[0].flatten(1, 2), r -> RefShapeOps.reshape(r[0], 2, 12), y);
        OpCheck.check("flatten(0, -2)", t -> t[0].flatten(0, -2), r -> RefShapeOps.reshape(r[0], 6, 4), y);
        OpCheck.check("flatten(1, 1)", t -> t[0].flatten(1, 1), r -> r[0], y);
        OpCheck.check("flatten of a permute (copy)", t -> t[0].permute(2, 0, 1).flatten(), r -> RefShapeOps.reshape(RefShapeOps.permute(r[0], 2, 0, 1), 24), y);
        OpCheck.check("flatten a scalar", t -> t[0].flatten(), r -> RefShapeOps.reshape(r[0], 1), Tensor.scalar(2));
        assertSharesStorage(y, y.flatten(0, 1));
        assertMessage(IllegalArgumentException.class, () -> y.flatten(2, 1), "flatten", "2", "1");
        assertMessage(IllegalArgumentException.class, () -> y.flatten(0, 3), "flatten", "dim 3");
    }

    // ---------------------------------------------------------------- contiguous, to

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        Tensor x = randn(3, 4);
        Tensor same = x.contiguous();
        assertNotSame(x, same);
        assertSharesStorage(x, same);
        Tensor t = x.t();
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(new long[] {3, 1}, c.strides());
        double before = x.sum().item();
        c.detach().fill_(7);
        assertEquals(before, x.sum().item(), 1e-5, "contiguous() of a transpose is a copy");
        OpCheck.check("contiguous of a transpose", q -> q[0].t().contiguous(), r -> RefShapeOps.transpose(r[0], 0, 1), x);
        OpCheck.check("contiguous of a contiguous", q -> q[0].contiguous(), r -> r[0], x);
        OpCheck.check("contiguousCopy", q -> q[0].contiguousCopy(), r -> r[0], x);
        OpCheck.check("contiguous of an expand", q -> q[0].expand(2, 3, 4).contiguous(), r -> RefShapeOps.expand(r[0], 2, 3, 4), x);
    }

    @Test
    void toConvertsAndTheGradientFlowsBackInTheSourceType() {
        Tensor x = randn(2, 3);
        Tensor leaf = x.detach().requiresGrad(true);
        Tensor d = leaf.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, d.dtype());
        d.mul(d).sum().backward();
        assertEquals(DType.FLOAT32, leaf.grad().dtype(), "the gradient of a float32 leaf is float32");
        float[] xv = x.toFloatArray();
        float[] gv = leaf.grad().toFloatArray();
        for (int i = 0; i < xv.length; i++) {
            assertEquals(2 * xv[i], gv[i], 1e-6);
        }
        Tensor l64 = Tensor.randn(gen, 4).to(DType.FLOAT64).requiresGrad(true);
        l64.to(DType.FLOAT32).mul(3.0).sum().backward();
        assertEquals(DType.FLOAT64, l64.grad().dtype());
        assertArrayEquals(new double[] {3, 3, 3, 3}, l64.grad().toDoubleArray());
        OpCheck.check("to(float64) of a transpose", q -> q[0].t().to(DType.FLOAT64), r -> RefShapeOps.transpose(r[0], 0, 1), x);
        // (no GradCheck of a float64 -> float32 conversion: finite differences of a float32 result are noise;
        // the exact gradient of that direction is checked above)
        // integer conversions truncate toward zero and leave the graph
        Tensor f = Tensor.of(new float[] {-2.7f, -0.5f, 0.5f, 2.7f, 3f}, 5).requiresGrad(true);
        Tensor i = f.to(DType.INT64);
        assertArrayEquals(new long[] {-2, 0, 0, 2, 3}, i.toLongArray());
        assertFalse(i.requiresGrad());
        assertArrayEquals(new int[] {-2, 0, 0, 2, 3}, f.to(DType.INT32).toIntArray());
        assertArrayEquals(new double[] {-2, 0, 0, 2, 3}, i.to(DType.FLOAT64).toDoubleArray());
        assertArrayEquals(new boolean[] {true, true, true, true, true}, f.to(DType.BOOL).toBooleanArray());
        long big = (1L << 53) + 1;
        assertEquals(big, Tensor.of(new long[] {big}, 1).to(DType.INT64).toLongArray()[0]);
        assertEquals(big, Tensor.of(new long[] {big}, 1).t().contiguous().toLongArray()[0], "int64 copies are exact");
    }

    // ---------------------------------------------------------------- cat, stack, split, chunk

    @Test
    void cat() {
        Tensor a = randn(2, 3);
        Tensor b = randn(4, 3);
        Tensor c = randn(1, 3);
        OpCheck.check("cat dim 0", t -> Tensor.cat(List.of(t[0], t[1], t[2]), 0), r -> RefShapeOps.cat(List.of(r[0], r[1], r[2]), 0), a, b, c);
        OpCheck.check("cat dim -1", t -> Tensor.cat(List.of(t[0].t(), t[1].t()), -1),
                r -> RefShapeOps.cat(List.of(RefShapeOps.transpose(r[0], 0, 1), RefShapeOps.transpose(r[1], 0, 1)), 1), a, b);
        OpCheck.check("cat with a zero-size part", t -> Tensor.cat(List.of(t[0], t[1].narrow(0, 0, 0), t[2]), 0),
                r -> RefShapeOps.cat(List.of(r[0], r[2]), 0), a, b, c);
        OpCheck.check("cat of one", t -> Tensor.cat(List.of(t[0]), 1), r -> r[0], a);
        OpCheck.check("cat of strided and expanded", t -> Tensor.cat(List.of(OpCheck.strided(t[0]), t[1].expand(2, 3)), 1),
                r -> RefShapeOps.cat(List.of(r[0], RefShapeOps.expand(r[1], 2, 3)), 1), a, c);
        OpCheck.check("cat the same tensor twice", t -> Tensor.cat(List.of(t[0], t[0]), 0), r -> RefShapeOps.cat(List.of(r[0], r[0]), 0), a);
        // mixed dtypes promote; each input's gradient comes back in its own dtype
        Tensor f32 = randn(2, 2).requiresGrad(true);
        Tensor f64 = randn(1, 2).to(DType.FLOAT64).requiresGrad(true);
        Tensor ints = Tensor.of(new int[] {7, 8}, 1, 2);
        Tensor mixed = Tensor.cat(List.of(f32, f64, ints), 0);
        assertEquals(DType.FLOAT64, mixed.dtype());
        assertArrayEquals(new double[] {7, 8}, mixed.select(0, 3).toDoubleArray());
        assertEquals(f64.get(0, 1), mixed.get(2, 1));
        assertEquals(f32.get(1, 0), mixed.get(1, 0), 0.0, "float32 values widen exactly");
        mixed.mul(Tensor.arange(0, 8, 1, DType.FLOAT64).view(4, 2)).sum().backward();
        assertEquals(DType.FLOAT32, f32.grad().dtype());
        assertEquals(DType.FLOAT64, f64.grad().dtype());
        assertArrayEquals(new float[] {0, 1, 2, 3}, f32.grad().toFloatArray());
        assertArrayEquals(new double[] {4, 5}, f64.grad().toDoubleArray());
        assertEquals(DType.INT64, Tensor.cat(List.of(Tensor.of(new int[] {1}, 1), Tensor.of(new long[] {2}, 1)), 0).dtype());
        assertMessage(IllegalArgumentException.class, () -> Tensor.cat(List.of(a, randn(2, 4)), 0), "cat", "[2, 4]", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Tensor.cat(List.of(a, randn(3)), 0), "cat", "rank");
        assertMessage(IllegalArgumentException.class, () -> Tensor.cat(List.of(a, b), 2), "cat", "dim 2", "rank 2");
        assertMessage(IllegalArgumentException.class, () -> Tensor.cat(List.of(), 0), "cat", "empty");
        assertMessage(IllegalArgumentException.class, () -> Tensor.cat(List.of(Tensor.scalar(1), Tensor.scalar(2)), 0), "cat", "zero-dim");
    }

    @Test
    void stack() {
        Tensor a = randn(2, 3);
        Tensor b = randn(2, 3);
        for (int dim : new int[] {0, 1, 2, -1, -3}) {
            OpCheck.check("stack dim " + dim, t -> Tensor.stack(List.of(t[0], t[1]), dim), r -> RefShapeOps.stack(List.of(r[0], r[1]), dim), a, b);
        }
        OpCheck.check("stack of views", t -> Tensor.stack(List.of(t[0].t(), t[1].t(), t[0].t()), 1),
                r -> RefShapeOps.stack(List.of(RefShapeOps.transpose(r[0], 0, 1), RefShapeOps.transpose(r[1], 0, 1), RefShapeOps.transpose(r[0], 0, 1)), 1),
                a, b);
        OpCheck.check("stack of scalars", t -> Tensor.stack(List.of(t[0], t[1]), 0), r -> RefShapeOps.stack(List.of(r[0], r[1]), 0),
                Tensor.scalar(1), Tensor.scalar(2));
        assertArrayEquals(new long[] {2, 3, 2}, Tensor.stack(List.of(a, b), -1).shape().toArray());
        assertMessage(IllegalArgumentException.class, () -> Tensor.stack(List.of(a, randn(3, 2)), 0), "stack", "[3, 2]", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Tensor.stack(List.of(a, b), 3), "stack", "dim 3");
        assertMessage(IllegalArgumentException.class, () -> Tensor.stack(List.of(), 0), "stack", "empty");
    }

    @Test
    void splitAndChunk() {
        Tensor x = randn(3, 7);
        List<Tensor> parts = x.split(3, 1);
        assertEquals(3, parts.size());
        assertArrayEquals(new long[] {3, 3}, parts.get(0).shape().toArray());
        assertArrayEquals(new long[] {3, 1}, parts.get(2).shape().toArray());
        assertEquals(6, parts.get(2).storageOffset());
        for (Tensor p : parts) {
            assertSharesStorage(x, p);
        }
        // the parts reassembled in reverse order: every part's gradient goes back to its place
        OpCheck.check("split(3, 1) reversed", t -> {
            List<Tensor> ps = new ArrayList<>(t[0].split(3, 1));
            Collections.reverse(ps);
            return Tensor.cat(ps, 1);
        }, r -> RefShapeOps.cat(List.of(RefShapeOps.slice(r[0], 1, 6, 7, 1), RefShapeOps.slice(r[0], 1, 3, 6, 1), RefShapeOps.slice(r[0], 1, 0, 3, 1)), 1), x);
        OpCheck.check("split(2, 0) middle part", t -> t[0].split(2, 0).get(1), r -> RefShapeOps.slice(r[0], 0, 2, 3, 1), x);
        OpCheck.check("split(7, 1) one part", t -> t[0].split(7, 1).get(0), r -> r[0], x);
        OpCheck.check("split(100, -1)", t -> t[0].split(100, -1).get(0), r -> r[0], x);
        // chunk as torch.chunk: pieces of ceil(size / chunks), so fewer pieces than asked is possible
        assertEquals(List.of(2L, 2L, 2L, 1L), x.chunk(4, 1).stream().map(t -> t.size(1)).toList());
        assertEquals(List.of(2L, 2L, 2L), randn(6).chunk(4, 0).stream().map(t -> t.size(0)).toList());
        assertEquals(List.of(1L, 1L, 1L), x.chunk(5, 0).stream().map(t -> t.size(0)).toList());
        assertEquals(List.of(3L), x.chunk(1, 0).stream().map(t -> t.size(0)).toList());
        OpCheck.check("chunk(3, 1) weighted", t -> {
            List<Tensor> cs = t[0].chunk(3, 1);
            return cs.get(0).mul(2.0).add(cs.get(1).mul(-1.0)).add(cs.get(2).sum(new int[] {1}, true));
        }, r -> {
            Ref a0 = RefShapeOps.slice(r[0], 1, 0, 3, 1);
            Ref a1 = RefShapeOps.slice(r[0], 1, 3, 6, 1);
            Ref a2 = RefShapeOps.slice(r[0], 1, 6, 7, 1);
            Ref o = Ref.zeros(3, 3);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    o.data[i * 3 + j] = 2 * a0.get(i, j) - a1.get(i, j) + a2.get(i, 0);
                }
            }
            return o;
        }, x);
        List<Tensor> empty = Tensor.zeros(0, 2).split(2, 0);
        assertEquals(1, empty.size());
        assertArrayEquals(new long[] {0, 2}, empty.get(0).shape().toArray());
        assertMessage(IllegalArgumentException.class, () -> x.split(0, 1), "split", "0");
        assertMessage(IllegalArgumentException.class, () -> x.split(2, 2), "split", "dim 2");
        assertMessage(IllegalArgumentException.class, () -> x.chunk(0, 1), "chunk", "0");
        assertMessage(IllegalArgumentException.class, () -> x.chunk(2, -3), "chunk", "dim -3");
    }

    @Test
    void opsAlongADimRefuseZeroDimTensors() {
        Tensor s = Tensor.scalar(1);
        assertMessage(IllegalArgumentException.class, () -> s.select(0, 0), "select", "0-dim");
        assertMessage(IllegalArgumentException.class, () -> s.narrow(0, 0, 1), "narrow", "0-dim");
        assertMessage(IllegalArgumentException.class, () -> s.slice(-1, 0, 1, 1), "slice", "0-dim");
        assertMessage(IllegalArgumentException.class, () -> s.split(1, 0), "split", "0-dim");
        assertMessage(IllegalArgumentException.class, () -> s.chunk(1, 0), "chunk", "0-dim");
        // the dim-free views of a 0-d tensor are fine
        OpCheck.check("unsqueeze of a scalar", t -> t[0].unsqueeze(-1), r -> RefShapeOps.reshape(r[0], 1), s);
        OpCheck.check("view of a scalar", t -> t[0].view(1, 1), r -> RefShapeOps.reshape(r[0], 1, 1), s);
        OpCheck.check("transpose of a scalar", t -> t[0].transpose(0, -1), r -> r[0], s);
        OpCheck.check("squeeze(0) of a scalar", t -> t[0].squeeze(0), r -> r[0], s);
    }

    @Test
    void gradientsThroughViewsOfViews() {
        Tensor x = randn(4, 5, 3);
        OpCheck.check("t.narrow.slice.select.unsqueeze.expand", t -> t[0].permute(2, 1, 0).narrow(1, 1, 3).slice(2, 0, 4, 2).select(0, 1)
                        .unsqueeze(0).expand(2, 3, 2),
                r -> RefShapeOps.expand(RefShapeOps.reshape(RefShapeOps.select(RefShapeOps.slice(RefShapeOps.slice(
                        RefShapeOps.permute(r[0], 2, 1, 0), 1, 1, 4, 1), 2, 0, 4, 2), 0, 1), 1, 3, 2), 2, 3, 2), x);
        OpCheck.check("view of a narrow of a view", t -> t[0].view(20, 3).narrow(0, 5, 10).view(2, 5, 3).transpose(0, 2).reshape(-1),
                r -> RefShapeOps.reshape(RefShapeOps.transpose(RefShapeOps.reshape(RefShapeOps.slice(RefShapeOps.reshape(r[0], 20, 3), 0, 5, 15, 1),
                        2, 5, 3), 0, 2), 30), x);
        // overlapping views of one leaf: their gradients add up
        OpCheck.check("overlapping slices", t -> t[0].narrow(1, 0, 3).add(t[0].narrow(1, 2, 3)).mul(t[0].select(1, 2).unsqueeze(1)),
                r -> {
                    Ref a = RefShapeOps.slice(r[0], 1, 0, 3, 1);
                    Ref b = RefShapeOps.slice(r[0], 1, 2, 5, 1);
                    Ref s = RefShapeOps.select(r[0], 1, 2);
                    Ref o = Ref.zeros(4, 3, 3);
                    for (int i = 0; i < o.numel(); i++) {
                        long[] idx = o.unravel(i);
                        o.data[i] = (a.data[i] + b.data[i]) * s.get(idx[0], idx[2]);
                    }
                    return o;
                }, x);
    }
}
