package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static dev.panamax.testing.RefPointwise.assertValues;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefPointwise;
import dev.panamax.testing.RefPointwise.Layout;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Softmax and log-softmax: parity along every dim and layout, stability on ±1e4, bad dims. */
class SoftmaxTest {
    private static Tensor apply(Tensor x, int dim, boolean log) {
        return log ? x.logSoftmax(dim) : x.softmax(dim);
    }

    private static String name(boolean log) {
        return log ? "logSoftmax" : "softmax";
    }

    /** Reference gradient: softmax gx = y (g - sum(g y)); log-softmax gx = g - exp(y) sum(g), along dim. */
    static Ref backward(Ref y, Ref g, int dim, boolean log) {
        Ref gx = Ref.zeros(y.shape);
        if (y.rank() == 0) {
            gx.data[0] = log ? g.data[0] - Math.exp(y.data[0]) * g.data[0] : y.data[0] * (g.data[0] - g.data[0] * y.data[0]);
            return gx;
        }
        int d = dim < 0 ? dim + y.rank() : dim;
        long n = y.shape[d];
        long stride = y.strides()[d];
        for (int i = 0; i < y.numel(); i++) {
            if (y.unravel(i)[d] != 0) {
                continue;
            }
            double s = 0;
            for (int k = 0; k < n; k++) {
                int j = (int) (i + k * stride);
                s += log ? g.data[j] : g.data[j] * y.data[j];
            }
            for (int k = 0; k < n; k++) {
                int j = (int) (i + k * stride);
                gx.data[j] = log ? g.data[j] - Math.exp(y.data[j]) * s : y.data[j] * (g.data[j] - s);
            }
        }
        return gx;
    }

    /** Forward and backward parity of x seen through layout (the view made a leaf) against the reference. */
    static void checkLarge(Layout layout, Tensor x, int dim, boolean log) {
        Ref rx = layout.apply(Ref.of(x));
        Ref y = RefPointwise.softmax(rx, dim, log);
        Ref up = RefPointwise.upstream(3, rx.shape);
        Ref gx = backward(y, up, dim, log);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            boolean f32 = t == DType.FLOAT32;
            String what = name(log) + " dim " + dim + " on " + layout + " (" + t.pyName() + ")";
            try (Scope ignored = Scope.open()) {
                Tensor v = layout.apply(x.to(t)).detach().requiresGrad(true);
                Tensor out = apply(v, dim, log);
                OpCheck.assertClose(what + " forward", y, Ref.of(out), f32 ? OpCheck.F32_ATOL : OpCheck.F64_ATOL,
                        f32 ? OpCheck.F32_RTOL : OpCheck.F64_RTOL);
                out.backward(up.toTensor(t));
                OpCheck.assertClose(what + " gradient", gx, Ref.of(v.grad()), f32 ? OpCheck.F32_GRAD_ATOL : OpCheck.F64_GRAD_ATOL,
                        f32 ? OpCheck.F32_GRAD_RTOL : OpCheck.F64_GRAD_RTOL);
                for (double e : out.toDoubleArray()) {
                    assertTrue(Double.isFinite(e), what + ": non-finite output");
                }
                for (double e : v.grad().toDoubleArray()) {
                    assertTrue(Double.isFinite(e), what + ": non-finite gradient");
                }
            }
        }
    }

    private static Layout plain(long... shape) {
        return new Layout("contiguous", shape, t -> t, r -> r);
    }

    @ParameterizedTest(name = "log = {0}")
    @ValueSource(booleans = {false, true})
    void smallShapesEveryDim(boolean log) {
        record Case(Layout layout, int... dims) {}
        List<Case> cases = List.of(
                new Case(plain(), 0, -1),
                new Case(plain(1), 0),
                new Case(plain(7), 0, -1),
                new Case(plain(17), 0),
                new Case(plain(3, 17), 0, 1),
                new Case(plain(2, 3, 5), 0, 1, 2, -2),
                new Case(new Layout("strided", new long[] {5, 7}, OpCheck::strided, r -> r), 0, 1),
                new Case(new Layout("transposed", new long[] {7, 5}, Tensor::t, RefPointwise::t), 0, 1),
                new Case(new Layout("slice step 3", new long[] {3, 17}, t -> t.slice(1, 1, 17, 3), r -> RefPointwise.slice(r, 1, 1, 17, 3)), 0, 1),
                new Case(new Layout("expanded", new long[] {1, 5}, t -> t.expand(4, 5), r -> RefPointwise.expand(r, 4, 5)), 0, 1));
        long seed = 100;
        for (Case c : cases) {
            for (int dim : c.dims()) {
                try (Scope ignored = Scope.open()) {
                    Tensor x = RefPointwise.values(seed++, -4, 4, c.layout().shape());
                    OpCheck.check(name(log) + " dim " + dim + " on " + c.layout(), t -> apply(c.layout().apply(t[0]), dim, log),
                            r -> RefPointwise.softmax(c.layout().apply(r[0]), dim, log), x);
                }
            }
        }
    }

    @ParameterizedTest(name = "log = {0}")
    @ValueSource(booleans = {false, true})
    void largeRowsPastTheVectorLengthAndTheTile(boolean log) {
        try (Scope ignored = Scope.open()) {
            checkLarge(plain(33, 2049), RefPointwise.values(1, -6, 6, 33, 2049), 1, log);
            checkLarge(plain(33, 2049), RefPointwise.values(2, -6, 6, 33, 2049), 0, log);
            checkLarge(plain(5, 4099), RefPointwise.values(3, -6, 6, 5, 4099), -1, log);
            checkLarge(new Layout("transposed", new long[] {2049, 3}, Tensor::t, RefPointwise::t), RefPointwise.values(4, -6, 6, 2049, 3), 1, log);
            checkLarge(new Layout("strided", new long[] {3, 700}, OpCheck::strided, r -> r), RefPointwise.values(5, -6, 6, 3, 700), 1, log);
            for (int n = 1; n <= 40; n++) { // every row length around the 16-lane vector, single and several rows
                checkLarge(plain(2, n), RefPointwise.values(10 + n, -6, 6, 2, n), 1, log);
            }
        }
    }

    /** ±1e4 logits: a naive exp overflows; outputs and gradients must be finite and match the reference. */
    @ParameterizedTest(name = "log = {0}")
    @ValueSource(booleans = {false, true})
    void stableOnHugeLogits(boolean log) {
        double[] v = new double[3 * 37];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (i % 5) {
                case 0 -> 1e4;
                case 1 -> -1e4;
                case 2 -> 1e4 - 1.5;
                case 3 -> -1e4 + 3;
                default -> 0.25 * i;
            };
        }
        try (Tensor x = Tensor.of(v, 3, 37)) {
            checkLarge(plain(3, 37), x, 1, log);
            checkLarge(plain(3, 37), x, 0, log);
            checkLarge(new Layout("transposed", new long[] {3, 37}, Tensor::t, RefPointwise::t), x, 0, log);
        }
        // all-equal huge rows: uniform probabilities
        try (Tensor x = Tensor.full(1e4, DType.FLOAT32, 2, 4); Tensor y = apply(x, 1, log)) {
            double[] expected = new double[8];
            Arrays.fill(expected, log ? Math.log(0.25) : 0.25);
            OpCheck.assertClose(name(log) + " of equal logits", new Ref(expected, 2, 4), Ref.of(y), 1e-6, 1e-6);
        }
    }

    @Test
    void zeroDimTensorIsOneWithZeroGradient() {
        // PyTorch: softmax of a 0-d tensor is 1 (log-softmax 0), with gradient 0
        for (boolean log : new boolean[] {false, true}) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                try (Scope ignored = Scope.open()) {
                    Tensor x = Tensor.scalar(3, t).requiresGrad(true);
                    Tensor y = apply(x, 0, log);
                    RefPointwise.assertShape(name(log) + " of 0-d", new long[0], y);
                    assertValues(name(log) + " of 0-d (" + t.pyName() + ")", new double[] {log ? 0 : 1}, y);
                    y.backward();
                    assertValues(name(log) + " gradient of 0-d (" + t.pyName() + ")", new double[] {0}, x.grad());
                }
            }
        }
    }

    @Test
    void dimOutOfRangeNamesTheDimAndTheRank() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            for (int dim : new int[] {2, -3, 17}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.softmax(dim));
                assertMessage(e, "softmax", "dim " + dim, "rank 2");
                e = assertThrows(IllegalArgumentException.class, () -> x.logSoftmax(dim));
                assertMessage(e, "logSoftmax", "dim " + dim, "rank 2");
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).softmax(1));
            assertMessage(e, "softmax", "dim 1", "rank 0");
        }
    }

    @Test
    void integerInputIsRejected() {
        try (Tensor i = Tensor.of(new long[] {1, 2, 3}, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> i.softmax(0));
            assertMessage(e, "softmax", "int64", "[3]");
        }
    }

    @Test
    void rowsWithInfinities() {
        // a +inf logit takes all the mass only if alone; PyTorch: softmax([inf, 0]) = [nan, 0] (inf - inf), [-inf, 0] -> [0, 1]
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(new double[] {Double.NEGATIVE_INFINITY, 0, 0}, 3).to(t);
                assertValues("softmax with -inf (" + t.pyName() + ")", new double[] {0, 0.5, 0.5}, x.softmax(0));
                assertValues("logSoftmax with -inf (" + t.pyName() + ")",
                        new double[] {Double.NEGATIVE_INFINITY, t == DType.FLOAT32 ? (float) Math.log(0.5) : Math.log(0.5),
                            t == DType.FLOAT32 ? (float) Math.log(0.5) : Math.log(0.5)}, x.logSoftmax(0));
            }
        }
    }
}
