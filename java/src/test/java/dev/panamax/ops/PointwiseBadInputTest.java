package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static dev.panamax.testing.RefPointwise.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import dev.panamax.testing.RefPointwise;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every error path of the pointwise ops and activations: exception type, and a message naming the op and the culprits. */
class PointwiseBadInputTest {
    private static void fails(Class<? extends Throwable> type, Executable body, String... fragments) {
        assertMessage(assertThrows(type, body), fragments);
    }

    record Named(String name, BinaryOperator<Tensor> op) {}

    @Test
    void mismatchedShapesNameTheOpAndBothShapes() {
        List<Named> ops = List.of(
                new Named("add", Tensor::add), new Named("sub", Tensor::sub), new Named("mul", Tensor::mul), new Named("div", Tensor::div),
                new Named("pow", Tensor::pow), new Named("maximum", Tensor::maximum), new Named("minimum", Tensor::minimum),
                new Named("eq", Tensor::eq), new Named("ne", Tensor::ne), new Named("lt", Tensor::lt), new Named("le", Tensor::le),
                new Named("gt", Tensor::gt), new Named("ge", Tensor::ge),
                new Named("logical_and", Tensor::logicalAnd), new Named("logical_or", Tensor::logicalOr));
        try (Scope ignored = Scope.open()) {
            Tensor a = Tensor.zeros(2, 3);
            Tensor b = Tensor.zeros(4);
            Tensor c = Tensor.zeros(3, 1, 5);
            Tensor d = Tensor.zeros(4, 2);
            for (Named op : ops) {
                fails(IllegalArgumentException.class, () -> op.op().apply(a, b), op.name() + ":", "[2, 3]", "[4]");
                fails(IllegalArgumentException.class, () -> op.op().apply(b, a), op.name() + ":", "[4]", "[2, 3]");
                fails(IllegalArgumentException.class, () -> op.op().apply(c, d), op.name() + ":", "[3, 1, 5]", "[4, 2]");
            }
            fails(IllegalArgumentException.class, () -> Tensor.where(Tensor.ones(DType.BOOL, 2, 3), a, b), "where", "[2, 3]", "[4]");
            fails(IllegalArgumentException.class, () -> Tensor.where(Tensor.ones(DType.BOOL, 5), a, a), "where", "[5]", "[2, 3]");
        }
    }

    @Test
    void whereNeedsABoolCondition() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(2);
            fails(IllegalArgumentException.class, () -> Tensor.where(Tensor.ones(DType.INT64, 2), x, x), "where", "bool", "int64[2]");
            fails(IllegalArgumentException.class, () -> Tensor.where(Tensor.ones(2), x, x), "where", "bool", "float32[2]");
        }
    }

    @Test
    void maskedFillNeedsABoolMaskThatBroadcastsToTheInput() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            fails(IllegalArgumentException.class, () -> x.maskedFill(Tensor.ones(DType.BOOL, 2), 1), "maskedFill", "[2, 3]", "[2]");
            fails(IllegalArgumentException.class, () -> Tensor.zeros(3).maskedFill(Tensor.ones(DType.BOOL, 2, 3), 1),
                    "maskedFill", "[2, 3]", "[3]");
            fails(IllegalArgumentException.class, () -> x.maskedFill(Tensor.ones(DType.INT64, 2, 3), 1), "maskedFill", "bool", "int64[2, 3]");
        }
    }

    @Test
    void invalidParametersNameTheValues() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(3);
            fails(IllegalArgumentException.class, () -> x.clamp(3, 1), "clamp", "min=3.0", "max=1.0");
            fails(IllegalArgumentException.class, () -> x.clamp(Double.NaN, 1), "clamp", "min=NaN");
            fails(IllegalArgumentException.class, () -> x.clampMin(Double.NaN), "clamp", "NaN");
            fails(IllegalArgumentException.class, () -> x.clampMax(Double.NaN), "clamp", "NaN");
            fails(IllegalArgumentException.class, () -> x.softplus(0, 20), "softplus", "beta", "0.0");
            fails(IllegalArgumentException.class, () -> x.softplus(-1, 20), "softplus", "beta", "-1.0");
            fails(IllegalArgumentException.class, () -> x.softplus(Double.NaN, 20), "softplus", "beta", "NaN");
            fails(IllegalArgumentException.class, () -> x.hardtanh(1, 1), "hardtanh", "min=1.0", "max=1.0");
            fails(IllegalArgumentException.class, () -> x.hardtanh(2, -2), "hardtanh", "min=2.0", "max=-2.0");
            // the degenerate but valid clamp: min == max gives a constant
            assertValues("clamp(1, 1)", new double[] {1, 1, 1}, x.clamp(1, 1));
        }
    }

    @Test
    void boolInputsToFloatFunctionsAreRejected() {
        try (Scope ignored = Scope.open()) {
            Tensor b = Tensor.ones(DType.BOOL, 2);
            for (Named op : List.of(new Named("neg", (x, y) -> x.neg()), new Named("abs", (x, y) -> x.abs()),
                    new Named("relu", (x, y) -> x.relu()), new Named("sigmoid", (x, y) -> x.sigmoid()))) {
                fails(IllegalArgumentException.class, () -> op.op().apply(b, b), op.name(), "bool[2]");
            }
            fails(IllegalArgumentException.class, () -> b.softmax(0), "softmax", "bool[2]");
        }
    }

    @Test
    void inPlaceOnALeafThatRequiresGradThrowsWhileGradModeIsOn() {
        try (Scope ignored = Scope.open()) {
            Tensor w = Tensor.ones(2, 3).requiresGrad(true);
            Tensor o = Tensor.ones(2, 3);
            record InPlace(String name, Consumer<Tensor> op) {}
            for (InPlace op : List.of(
                    new InPlace("add_", t -> t.add_(o)), new InPlace("sub_", t -> t.sub_(o)), new InPlace("mul_", t -> t.mul_(o)),
                    new InPlace("div_", t -> t.div_(o)), new InPlace("mul_", t -> t.mul_(2.0)), new InPlace("add_", t -> t.add_(2.0)),
                    new InPlace("fill_", t -> t.fill_(0)), new InPlace("zero_", Tensor::zero_), new InPlace("copy_", t -> t.copy_(o)))) {
                String expected = op.name().equals("zero_") ? "fill_" : op.name();
                fails(IllegalStateException.class, () -> op.op().accept(w), expected, "float32[2, 3]", "requires grad");
            }
            assertValues("untouched", new double[] {1, 1, 1, 1, 1, 1}, w);
            // a non-leaf that requires grad is refused too (its graph holds the old values)
            Tensor y = w.mul(2.0);
            fails(IllegalStateException.class, () -> y.add_(o), "add_", "requires grad");
            // allowed under noGrad, as optimizers do
            try (GradMode.Guard g = GradMode.noGrad()) {
                w.add_(o);
                w.mul_(0.5);
            }
            assertValues("updated under noGrad", new double[] {1, 1, 1, 1, 1, 1}, w);
        }
    }

    @Test
    void inPlaceBroadcastCannotGrowTheTarget() {
        try (Scope ignored = Scope.open()) {
            Tensor t = Tensor.zeros(3);
            fails(IllegalArgumentException.class, () -> t.add_(Tensor.ones(2, 3)), "add_", "[2, 3]", "[3]");
            fails(IllegalArgumentException.class, () -> t.mul_(Tensor.ones(3, 1)), "mul_", "[3, 1]", "[3]");
            fails(IllegalArgumentException.class, () -> t.sub_(Tensor.ones(4)), "sub_", "[3]", "[4]");
            fails(IllegalArgumentException.class, () -> t.div_(Tensor.ones(2, 1)), "div_", "[2, 1]", "[3]");
            // shrinking broadcasts are fine
            Tensor m = Tensor.zeros(2, 3);
            m.add_(Tensor.of(new float[] {1, 2, 3}));
            m.add_(Tensor.ones(2, 1));
            m.add_(Tensor.scalar(0.5));
            assertValues("broadcast add_", new double[] {2.5, 3.5, 4.5, 2.5, 3.5, 4.5}, m);
        }
    }

    @Test
    void inPlaceWithAnOverlappingOperandReadsTheOldValues() {
        // x += x^T and a shifted difference, large enough to span several 2048-element tiles
        try (Scope ignored = Scope.open()) {
            Tensor x = RefPointwise.values(1, -3, 3, 100, 100).to(DType.FLOAT32);
            Tensor expected = x.add(x.t());
            x.add_(x.t());
            assertValues("x.add_(x.t())", expected.toDoubleArray(), x);
            Tensor y = RefPointwise.values(2, -3, 3, 5000).to(DType.FLOAT32);
            Tensor diff = y.narrow(0, 1, 4999).sub(y.narrow(0, 0, 4999));
            Tensor v = y.narrow(0, 1, 4999);
            v.sub_(y.narrow(0, 0, 4999));
            assertValues("y[1:] -= y[:-1]", diff.toDoubleArray(), v);
            Tensor z = RefPointwise.values(3, -3, 3, 4099).to(DType.FLOAT32);
            Tensor twice = z.mul(2.0);
            z.add_(z);
            assertValues("z.add_(z)", twice.toDoubleArray(), z);
        }
    }

    /** Distinct whole numbers (int64: near 2^62, where a copy through double would lose the low bits). */
    private static Tensor distinct(DType t, long rows, long cols) {
        long[] v = new long[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (t == DType.INT64 ? 1L << 62 : 0) + 7919L * i;
        }
        try (Tensor l = Tensor.of(v, rows, cols)) {
            return l.to(t);
        }
    }

    @Test
    void copyWithAnOverlappingSourceReadsTheOldValues() {
        // strided views of the target's own memory, large enough to span several tiles and threads
        try (Scope ignored = Scope.open()) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
                Tensor x = distinct(t, 100, 100);
                Tensor transposed = x.t().contiguousCopy();
                x.copy_(x.t());
                assertArrayEquals(transposed.toLongArray(), x.toLongArray(), "x.copy_(x.t()) " + t.pyName());
                Tensor rows = distinct(t, 50, 101);
                Tensor shifted = rows.narrow(1, 0, 100).contiguousCopy();
                rows.narrow(1, 1, 100).copy_(rows.narrow(1, 0, 100));
                assertArrayEquals(shifted.toLongArray(), rows.narrow(1, 1, 100).toLongArray(), "rows[:, 1:].copy_(rows[:, :-1]) " + t.pyName());
            }
            Tensor y = RefPointwise.values(6, -3, 3, 5000).to(DType.FLOAT32);
            Tensor head = y.narrow(0, 0, 4999).contiguousCopy();
            y.narrow(0, 1, 4999).copy_(y.narrow(0, 0, 4999));
            assertValues("y[1:].copy_(y[:-1])", head.toDoubleArray(), y.narrow(0, 1, 4999));
            Tensor z = RefPointwise.values(7, -3, 3, 30, 40).to(DType.FLOAT32);
            Tensor firstRow = z.narrow(0, 0, 1).contiguousCopy();
            z.copy_(z.narrow(0, 0, 1));
            assertValues("z.copy_(z[0]) broadcast", firstRow.expand(30, 40).contiguousCopy().toDoubleArray(), z);
        }
    }

    /** The op refuses a closed argument before it allocates its output, so the refusal leaks nothing. */
    @Test
    void closedTensorsCannotBeUsed() {
        Tensor x = Tensor.ones(3);
        Tensor y = Tensor.ones(3);
        x.close();
        MemoryStats before = Leaks.baseline();
        fails(IllegalStateException.class, () -> x.exp(), "exp", "float32[3]", "close");
        fails(IllegalStateException.class, () -> y.add(x), "add", "float32[3]", "close");
        fails(IllegalStateException.class, () -> x.softmax(0), "softmax", "float32[3]", "close");
        Leaks.assertNoneSince(before, "ops refusing a closed tensor");
        y.close();
    }

    @Test
    void onlyFloatingPointTensorsRequireGrad() {
        try (Tensor i = Tensor.ones(DType.INT32, 2)) {
            fails(IllegalArgumentException.class, () -> i.requiresGrad(true), "int32");
        }
    }
}
