package dev.panamax.backend.cpu;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.UnaryOp;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar loops over dense int64 runs: the exact path for integer and bool tensors of any width.
 * Elements are read into longs exactly ({@link Elements#gather}), computed with Java's
 * wrap-around arithmetic and narrowed when stored, so an int32 result is the low 32 bits of the
 * exact one and int64 is exact to the last bit, as in PyTorch (through double, int64 values
 * above 2^53 lost their low bits and int32 products past 2^53 their low bits too).
 */
final class IntegerKernels {
    private IntegerKernels() {}

    /** The unary ops that map integers to integers (or bool) and so run here. */
    static boolean handles(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SIGN, CLAMP, HARDTANH, RELU, LOGICAL_NOT -> true;
            default -> false;
        };
    }

    /** All binary ops but true division and pow, whose results are floating point. */
    static boolean handles(BinaryOp op) {
        return op != BinaryOp.DIV && op != BinaryOp.POW;
    }

    private static long get(MemorySegment s, long byteOffset, int i) {
        return s.get(ValueLayout.JAVA_LONG, byteOffset + 8L * i);
    }

    private static void set(MemorySegment s, long byteOffset, int i, long v) {
        s.set(ValueLayout.JAVA_LONG, byteOffset + 8L * i, v);
    }

    /**
     * v converted to {@code result} first, as PyTorch converts the operands to the result type
     * before it computes: maximum(int32 tensor, 0-d int64 2^40) compares with 0, 2^40's low 32 bits.
     * Bool results (comparisons) compare the values themselves.
     */
    private static long narrow(long v, DType result) {
        return switch (result) {
            case INT32 -> (int) v;
            case UINT8 -> v & 0xFF;
            default -> v;
        };
    }

    /** s[0] = x, s[1] = out; p0, p1 are clamp's bounds. */
    static void unary(UnaryOp op, long p0, long p1, MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            long x = get(s[0], o[0], i);
            long y = switch (op) {
                case NEG -> -x;
                case ABS -> Math.abs(x); // Long.MIN_VALUE (and int32's MIN) stay as they are, as in PyTorch
                case SIGN -> Long.signum(x);
                case CLAMP, HARDTANH -> Math.min(Math.max(x, p0), p1);
                case RELU -> Math.max(x, 0);
                case LOGICAL_NOT -> x == 0 ? 1 : 0;
                default -> throw new IllegalArgumentException(op + " has no integer kernel");
            };
            set(s[1], o[1], i, y);
        }
    }

    /** s[0] = a, s[1] = b, s[2] = out of type {@code result}. Comparisons write 1 or 0. */
    static void binary(BinaryOp op, DType result, MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            long a = narrow(get(s[0], o[0], i), result);
            long b = narrow(get(s[1], o[1], i), result);
            long r = switch (op) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case MAXIMUM -> Math.max(a, b);
                case MINIMUM -> Math.min(a, b);
                case EQ -> a == b ? 1 : 0;
                case NE -> a != b ? 1 : 0;
                case LT -> a < b ? 1 : 0;
                case LE -> a <= b ? 1 : 0;
                case GT -> a > b ? 1 : 0;
                case GE -> a >= b ? 1 : 0;
                case LOGICAL_AND -> a != 0 && b != 0 ? 1 : 0;
                case LOGICAL_OR -> a != 0 || b != 0 ? 1 : 0;
                case DIV, POW -> throw new IllegalArgumentException(op + " has no integer kernel");
            };
            set(s[2], o[2], i, r);
        }
    }

    /** s[0] = cond (0/1), s[1] = a, s[2] = b, s[3] = out of type {@code result}. */
    static void where(DType result, MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            set(s[3], o[3], i, narrow(get(s[0], o[0], i) != 0 ? get(s[1], o[1], i) : get(s[2], o[2], i), result));
        }
    }

    /** s[0] = out, every element set to {@code value}. */
    static void fill(long value, MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            set(s[0], o[0], i, value);
        }
    }
}
