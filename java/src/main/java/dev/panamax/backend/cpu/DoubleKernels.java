package dev.panamax.backend.cpu;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar loops over dense float64 runs: the path for FLOAT64, and for integer inputs of ops with
 * floating-point results (integer results are {@link IntegerKernels}'). They apply the ops' own
 * double-precision definitions, so float64 results are the reference formulas.
 */
final class DoubleKernels {
    private DoubleKernels() {}

    private static double get(MemorySegment s, long byteOffset, int i) {
        return s.get(ValueLayout.JAVA_DOUBLE, byteOffset + 8L * i);
    }

    private static void set(MemorySegment s, long byteOffset, int i, double v) {
        s.set(ValueLayout.JAVA_DOUBLE, byteOffset + 8L * i, v);
    }

    static void unary(UnaryOp op, double p0, double p1, MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            set(s[1], o[1], i, op.apply(get(s[0], o[0], i), p0, p1));
        }
    }

    static void unaryBackward(UnaryOp op, double p0, double p1, MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            double d = op.derivative(get(s[0], o[0], i), get(s[1], o[1], i), p0, p1);
            double g = get(s[2], o[2], i);
            set(s[3], o[3], i, d == 0 ? 0 : g * d);
        }
    }

    static void binary(BinaryOp op, MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            set(s[2], o[2], i, op.apply(get(s[0], o[0], i), get(s[1], o[1], i)));
        }
    }

    static void where(MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            set(s[3], o[3], i, get(s[0], o[0], i) != 0 ? get(s[1], o[1], i) : get(s[2], o[2], i));
        }
    }

    static void fill(double value, MemorySegment[] s, long[] o, int n) {
        for (int i = 0; i < n; i++) {
            set(s[0], o[0], i, value);
        }
    }
}
