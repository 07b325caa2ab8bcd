package dev.panamax.backend.cpu;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops over dense float32 runs (byte offsets into segments). Each loop runs whole
 * vectors only; a ragged tail is copied into a padded buffer and run through the same loop, so
 * every element sees exactly the same instructions wherever a tile boundary falls.
 *
 * <p>Each op has a loop of its own in {@link ElementwiseLoops}, generated: a lambda call in a shared
 * loop goes megamorphic and forces every vector onto the heap, and a switch inside a shared loop
 * makes C2 recompile it without end. Exp, log, tanh and pow are not in those loops: an op's
 * transcendental part (e^-x for sigmoid, say) is computed first by {@link VectorMath}'s passes into
 * a per-thread tile that the op's loop then reads, so each loop stays small enough to inline into.
 */
final class FloatKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int MAX_OPERANDS = 4;
    // Buffers are native like tensors: a loop that sees heap and native segments makes the Vector
    // API's loads and stores virtual calls.
    /** T, the transcendental part of an op's formula, for one tile. */
    private static final ThreadLocal<MemorySegment> TRANSCENDENTAL = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(4L * Scratch.TILE, 64));
    private static final ThreadLocal<MemorySegment[]> TAIL = ThreadLocal.withInitial(() -> {
        MemorySegment[] t = new MemorySegment[MAX_OPERANDS];
        Arena arena = Arena.ofAuto();
        for (int i = 0; i < t.length; i++) {
            t[i] = arena.allocate(4L * L, 64);
        }
        return t;
    });

    // Abramowitz & Stegun 7.1.26: erf to 1.5e-7, enough for float32.
    private static final float ERF_P = 0.3275911f;
    private static final float[] ERF_A = {0.254829592f, -0.284496736f, 1.421413741f, -1.453152027f, 1.061405429f};
    private static final float INV_SQRT2 = 0.70710678f;
    private static final float INV_SQRT_2PI = 0.39894228f;
    static final float GELU_K = 0.7978845608f;
    static final float SELU_ALPHA = 1.6732632423543772f;
    static final float SELU_SCALE = 1.0507009873554805f;

    private FloatKernels() {}

    /** Loop over whole vectors of {@code n} elements (n a multiple of L) for {@code operands} runs. */
    @FunctionalInterface
    private interface WholeVectors {
        void run(MemorySegment[] s, long[] o, int n);
    }

    /** Runs {@code body} on the whole vectors in place and on the tail through padded copies. */
    private static void withTail(MemorySegment[] s, long[] o, int n, int inputs, WholeVectors body) {
        int whole = n - n % L;
        if (whole > 0) {
            body.run(s, o, whole);
        }
        int rest = n - whole;
        if (rest == 0) {
            return;
        }
        MemorySegment[] tail = TAIL.get();
        MemorySegment[] ts = new MemorySegment[s.length];
        long[] to = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            ts[i] = tail[i];
            tail[i].fill((byte) 0);
            if (i < inputs) {
                MemorySegment.copy(s[i], o[i] + 4L * whole, tail[i], 0, 4L * rest);
            }
        }
        body.run(ts, to, L);
        int out = s.length - 1;
        MemorySegment.copy(tail[out], 0, s[out], o[out] + 4L * whole, 4L * rest);
    }

    static FloatVector load(MemorySegment s, long byteOffset) {
        return FloatVector.fromMemorySegment(S, s, byteOffset, NATIVE);
    }

    static void store(FloatVector v, MemorySegment s, long byteOffset) {
        v.intoMemorySegment(s, byteOffset, NATIVE);
    }

    /** s[0] = x, s[1] = out. */
    static void unary(UnaryOp op, float p0, float p1, MemorySegment[] s, long[] o, int n) {
        withTail(s, o, n, 1, (seg, off, m) -> {
            switch (op) {
                case EXP -> VectorMath.exp(1, seg[0], off[0], seg[1], off[1], m);
                case SIGMOID -> VectorMath.sigmoid(seg[0], off[0], seg[1], off[1], m);
                case LOG -> VectorMath.log(seg[0], off[0], seg[1], off[1], m);
                case LOG1P -> VectorMath.log1p(seg[0], off[0], seg[1], off[1], m);
                case TANH -> VectorMath.tanh(seg[0], off[0], seg[1], off[1], m);
                default -> {
                    MemorySegment t = TRANSCENDENTAL.get();
                    forwardPart(op, p0, seg[0], off[0], t, m);
                    ElementwiseLoops.unary(op, p0, p1, seg[0], off[0], t, seg[1], off[1], m);
                }
            }
        });
    }

    /** T of op's forward formula into t (nothing for ops without one, or that are one of VectorMath's functions). */
    private static void forwardPart(UnaryOp op, float p0, MemorySegment xs, long xo, MemorySegment t, int n) {
        switch (op) {
            case ELU, SELU -> VectorMath.expm1(xs, xo, t, 0, n);
            case POW_SCALAR -> power(p0, xs, xo, t, n);
            case SILU -> VectorMath.exp(-1, xs, xo, t, 0, n);
            case GELU -> normalCdf(false, xs, xo, t, n);
            case GELU_TANH -> {
                ElementwiseLoops.geluTanhInner(xs, xo, t, n);
                VectorMath.tanh(t, 0, t, 0, n);
            }
            case SOFTPLUS -> {
                // log1p, not log(1 + e): for beta*x below about -17, 1 + e rounds to 1 and the result to 0
                VectorMath.exp(p0, xs, xo, t, 0, n);
                VectorMath.log1p(t, 0, t, 0, n);
            }
            default -> { }
        }
    }

    /** T of op's derivative into t (nothing for ops without one). */
    private static void derivativePart(UnaryOp op, float p0, MemorySegment xs, long xo, MemorySegment t, int n) {
        switch (op) {
            case ELU, SELU -> VectorMath.exp(1, xs, xo, t, 0, n);
            case POW_SCALAR -> power(p0 - 1, xs, xo, t, n);
            case SILU -> VectorMath.exp(-1, xs, xo, t, 0, n);
            case GELU -> normalCdf(true, xs, xo, t, n);
            case SOFTPLUS -> VectorMath.exp(-p0, xs, xo, t, 0, n);
            case GELU_TANH -> {
                ElementwiseLoops.geluTanhInner(xs, xo, t, n);
                VectorMath.tanh(t, 0, t, 0, n);
            }
            default -> { }
        }
    }

    /**
     * t = Phi(x), the standard normal CDF, or with {@code plusDensity} Phi(x) + x phi(x) (GELU's
     * derivative); erf(x/sqrt 2) = 1 - poly(q) e^(-x^2/2) by Abramowitz and Stegun 7.1.26.
     */
    private static void normalCdf(boolean plusDensity, MemorySegment xs, long xo, MemorySegment t, int n) {
        ElementwiseLoops.negHalfSquare(xs, xo, t, n);
        VectorMath.exp(1, t, 0, t, 0, n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        VectorMask<Float> density = S.maskAll(plusDensity);
        for (int i = 0; i < n; i += L) {
            FloatVector x = load(xs, xo + 4L * i);
            FloatVector e = load(t, 4L * i);
            FloatVector ax = x.mul(INV_SQRT2).abs();
            FloatVector q = one.div(ax.mul(ERF_P).add(one));
            FloatVector poly = q.mul(ERF_A[4]).add(ERF_A[3]).mul(q).add(ERF_A[2]).mul(q).add(ERF_A[1]).mul(q).add(ERF_A[0]).mul(q);
            FloatVector erf = one.sub(poly.mul(e));
            FloatVector cdf = one.add(erf.blend(erf.neg(), x.compare(VectorOperators.LT, 0f))).mul(0.5f);
            cdf.blend(cdf.add(x.mul(e.mul(INV_SQRT_2PI))), density).intoMemorySegment(t, 4L * i, NATIVE);
        }
    }

    /** t = x^p, with exponents 0, 1 and 2 exact (as PyTorch, x^2 = x * x). */
    private static void power(float p, MemorySegment xs, long xo, MemorySegment t, int n) {
        if (p == 0) {
            ElementwiseLoops.constant(1, t, n);
        } else if (p == 1) {
            MemorySegment.copy(xs, xo, t, 0, 4L * n);
        } else if (p == 2) {
            ElementwiseLoops.square(xs, xo, t, n);
        } else {
            ElementwiseLoops.constant(p, t, n);
            VectorMath.pow(xs, xo, t, 0, t, 0, n);
        }
    }

    /** s[0] = x, s[1] = y, s[2] = gradOut, s[3] = gradIn. */
    static void unaryBackward(UnaryOp op, float p0, float p1, MemorySegment[] s, long[] o, int n) {
        // x^0's gradient is zero even where gradOut is not finite, as PyTorch's; SIGN's derivative loop writes zeros
        UnaryOp rule = op == UnaryOp.POW_SCALAR && p0 == 0 ? UnaryOp.SIGN : op;
        withTail(s, o, n, 3, (seg, off, m) -> {
            MemorySegment t = TRANSCENDENTAL.get();
            derivativePart(rule, p0, seg[0], off[0], t, m);
            ElementwiseLoops.unaryBackward(rule, p0, p1, seg, off, t, m);
        });
    }

    /** s[0] = a, s[1] = b, s[2] = out. Comparisons write 1 or 0. */
    static void binary(BinaryOp op, MemorySegment[] s, long[] o, int n) {
        withTail(s, o, n, 2, (seg, off, m) -> {
            if (op == BinaryOp.POW) {
                VectorMath.pow(seg[0], off[0], seg[1], off[1], seg[2], off[2], m);
            } else {
                ElementwiseLoops.binary(op, seg, off, m);
            }
        });
    }

    /** s[0] = cond (0/1), s[1] = a, s[2] = b, s[3] = out. */
    static void where(MemorySegment[] s, long[] o, int n) {
        withTail(s, o, n, 3, (seg, off, m) -> {
            for (int i = 0; i < m; i += L) {
                long b = 4L * i;
                VectorMask<Float> c = load(seg[0], off[0] + b).compare(VectorOperators.NE, 0f);
                store(load(seg[2], off[2] + b).blend(load(seg[1], off[1] + b), c), seg[3], off[3] + b);
            }
        });
    }

    /** s[0] = out, every element set to {@code value}. */
    static void fill(float value, MemorySegment[] s, long[] o, int n) {
        withTail(s, o, n, 0, (seg, off, m) -> {
            FloatVector v = FloatVector.broadcast(S, value);
            for (int i = 0; i < m; i += L) {
                store(v, seg[0], off[0] + 4L * i);
            }
        });
    }
}
