package dev.panamax.backend.cpu;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Integer tensors compute exactly, with Java's (and PyTorch's) wrap-around: int64 values near
 * 2^53 and 2^62 keep their last bit, int32 products past 2^31 keep their low 32 bits. The
 * reference is plain long arithmetic, narrowed to int for int32.
 */
class IntegerKernelsTest {
    private static final long P53 = 1L << 53;
    private static final long P62 = 1L << 62;
    private static final long[] INT64 = {P53 + 1, P53 - 1, -(P53 + 3), P62 + 5, -P62 - 7, Long.MAX_VALUE, Long.MIN_VALUE,
        12_345_678_901_234_567L, 0, -1, 3};
    private static final long[] INT32 = {Integer.MAX_VALUE, Integer.MIN_VALUE, 65_536, 46_341, -46_341, 123_456_789, 0, -1, 7};

    private static long[] values(DType t) {
        return t == DType.INT64 ? INT64 : INT32;
    }

    private static Tensor tensor(DType t, long[] v, long... shape) {
        if (t == DType.INT64) {
            return Tensor.of(v, shape);
        }
        int[] w = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            w[i] = (int) v[i];
        }
        return Tensor.of(w, shape);
    }

    /** The expected value of an op on t's values: computed in long, then narrowed to t. */
    private static long narrow(DType t, long v) {
        return t == DType.INT32 ? (int) v : v;
    }

    private static void assertValues(String what, long[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toLongArray(), what);
    }

    record Binary(String name, BinaryOperator<Tensor> op, LongBinaryOperator ref, boolean comparison) {}

    static Binary[] binaryOps() {
        return new Binary[] {
            new Binary("add", Tensor::add, (a, b) -> a + b, false),
            new Binary("sub", Tensor::sub, (a, b) -> a - b, false),
            new Binary("mul", Tensor::mul, (a, b) -> a * b, false),
            new Binary("maximum", Tensor::maximum, Math::max, false),
            new Binary("minimum", Tensor::minimum, Math::min, false),
            new Binary("eq", Tensor::eq, (a, b) -> a == b ? 1 : 0, true),
            new Binary("ne", Tensor::ne, (a, b) -> a != b ? 1 : 0, true),
            new Binary("lt", Tensor::lt, (a, b) -> a < b ? 1 : 0, true),
            new Binary("le", Tensor::le, (a, b) -> a <= b ? 1 : 0, true),
            new Binary("gt", Tensor::gt, (a, b) -> a > b ? 1 : 0, true),
            new Binary("ge", Tensor::ge, (a, b) -> a >= b ? 1 : 0, true),
        };
    }

    /** Every pair of values, as a column broadcast against a row, contiguous and strided. */
    @Test
    void binaryOpsAreExactForEveryPair() {
        for (DType t : new DType[] {DType.INT32, DType.INT64}) {
            long[] v = values(t);
            int n = v.length;
            for (Binary op : binaryOps()) {
                long[] expected = new long[n * n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        long r = op.ref().applyAsLong(narrow(t, v[i]), narrow(t, v[j]));
                        expected[i * n + j] = op.comparison() ? r : narrow(t, r);
                    }
                }
                try (Scope ignored = Scope.open()) {
                    Tensor column = tensor(t, v, n, 1);
                    Tensor row = tensor(t, v, 1, n);
                    Tensor r = op.op().apply(column, row);
                    assertEquals(op.comparison() ? DType.BOOL : t, r.dtype(), op.name());
                    assertValues(t.pyName() + " " + op.name(), expected, r);
                    // square[i][j] = v[i]; its transpose against a strided copy of it gives op(v[j], v[i]),
                    // through the gathered (non-contiguous) path
                    Tensor square = column.expand(n, n).contiguous();
                    Tensor strided = op.op().apply(square.t(), OpCheck.strided(square));
                    long[] transposed = new long[n * n];
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            transposed[i * n + j] = expected[j * n + i];
                        }
                    }
                    assertValues(t.pyName() + " " + op.name() + " strided", transposed, strided);
                }
            }
        }
    }

    record Unary(String name, UnaryOperator<Tensor> op, LongUnaryOperator ref) {}

    @Test
    void unaryOpsAreExact() {
        long lo = -P62;
        long hi = P53 + 2; // both exactly representable as the double clamp takes
        Unary[] ops = {
            new Unary("neg", Tensor::neg, x -> -x),
            new Unary("abs", Tensor::abs, Math::abs),
            new Unary("sign", Tensor::sign, Long::signum),
            new Unary("relu", Tensor::relu, x -> Math.max(x, 0)),
            new Unary("clamp", x -> x.clamp(lo, hi), x -> Math.min(Math.max(x, lo), hi)),
            new Unary("clampMin", x -> x.clampMin(-5), x -> Math.max(x, -5)),
        };
        for (DType t : new DType[] {DType.INT32, DType.INT64}) {
            long[] v = values(t);
            for (Unary op : ops) {
                long[] expected = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    expected[i] = narrow(t, op.ref().applyAsLong(narrow(t, v[i])));
                }
                try (Scope ignored = Scope.open()) {
                    Tensor r = op.op().apply(tensor(t, v, v.length));
                    assertEquals(t, r.dtype(), op.name());
                    assertValues(t.pyName() + " " + op.name(), expected, r);
                    assertValues(t.pyName() + " " + op.name() + " strided", expected, op.op().apply(OpCheck.strided(tensor(t, v, v.length))));
                }
            }
        }
    }

    @Test
    void whereKeepsEveryBit() {
        try (Scope ignored = Scope.open()) {
            Tensor a = Tensor.of(INT64, INT64.length);
            Tensor b = Tensor.of(new long[] {P62 + 1}, 1);
            Tensor cond = a.gt(0);
            long[] expected = new long[INT64.length];
            for (int i = 0; i < INT64.length; i++) {
                expected[i] = INT64[i] > 0 ? INT64[i] : P62 + 1;
            }
            assertValues("where int64", expected, Tensor.where(cond, a, b));
            assertValues("where int64, strided", expected, Tensor.where(cond, OpCheck.strided(a), b));
        }
    }

    @Test
    void copyBetweenIntegerTypesWraps() {
        try (Scope ignored = Scope.open()) {
            Tensor a = Tensor.of(INT64, INT64.length);
            int[] low = new int[INT64.length];
            long[] bytes = new long[INT64.length];
            long[] nonzero = new long[INT64.length];
            for (int i = 0; i < INT64.length; i++) {
                low[i] = (int) INT64[i];
                bytes[i] = INT64[i] & 0xFF;
                nonzero[i] = INT64[i] != 0 ? 1 : 0;
            }
            assertArrayEquals(low, a.to(DType.INT32).toIntArray(), "int64 -> int32 keeps the low 32 bits, as PyTorch");
            assertArrayEquals(low, Tensor.zeros(DType.INT32, INT64.length).copy_(OpCheck.strided(a)).toIntArray(), "strided copy_");
            assertValues("int64 -> uint8 keeps the low 8 bits", bytes, a.to(DType.UINT8));
            assertValues("int64 -> bool is value != 0", nonzero, a.to(DType.BOOL));
            long[] widened = new long[INT32.length];
            for (int i = 0; i < INT32.length; i++) {
                widened[i] = (int) INT32[i];
            }
            assertValues("int32 -> int64 sign-extends", widened, tensor(DType.INT32, INT32, INT32.length).to(DType.INT64));
        }
    }

    @Test
    void fillIsExactBelow2To53AndRefusesLarger() {
        try (Scope ignored = Scope.open()) {
            assertValues("fill 2^53 - 1", new long[] {P53 - 1, P53 - 1}, Tensor.full(P53 - 1, DType.INT64, 2));
            assertValues("fill -(2^53 - 1)", new long[] {1 - P53, 1 - P53}, Tensor.zeros(DType.INT64, 2).fill_(1 - P53));
            assertValues("fill int32 truncates toward zero", new long[] {-2, -2}, Tensor.full(-2.7, DType.INT32, 2));
            // a double at or above 2^53 may already have lost bits of the long it came from
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.full(0x1p62, DType.INT64, 2));
            assertMessage(e, "fill", "4.611686018427388E18", "int64");
        }
    }

    /** A 0-d int64 operand is converted to an int32 tensor's type first, as in PyTorch (maximum(int32, 2^40) sees 0). */
    @Test
    void wideZeroDimOperandIsNarrowedToTheResultType() {
        try (Scope ignored = Scope.open()) {
            Tensor x = tensor(DType.INT32, new long[] {1, -5, Integer.MAX_VALUE}, 3);
            Tensor big = Tensor.scalar(0x1p40, DType.INT64);
            assertValues("maximum(int32, 2^40)", new long[] {1, 0, Integer.MAX_VALUE}, x.maximum(big));
            assertValues("int32 * (2^32 + 3)", new long[] {3, -15, Integer.MAX_VALUE - 2}, x.mul(Tensor.scalar(0x1p32 + 3, DType.INT64)));
        }
    }

    @Test
    void sameBitsOnOneAndTwoThreads() {
        int n = 100_003;
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = P62 + 977L * i * i;
        }
        long[] one = CpuThreads.call(1, () -> run(v));
        long[] two = CpuThreads.call(2, () -> run(v));
        assertArrayEquals(one, two);
        for (int i = 0; i < n; i += 9_973) {
            assertEquals(v[i] * 3 - (P53 + 1), one[i], "at " + i);
        }
    }

    private static long[] run(long[] v) {
        try (Scope ignored = Scope.open()) {
            return Tensor.of(v, v.length).mul(3).sub(Tensor.scalar(P53 - 1, DType.INT64)).sub(2).toLongArray();
        }
    }
}
