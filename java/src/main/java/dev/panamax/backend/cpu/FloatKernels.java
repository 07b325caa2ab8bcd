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
 * <p>The op is switched on inside the loop rather than passed as a lambda: a lambda call in a
 * shared loop goes megamorphic and forces every vector onto the heap. Exp, log, tanh and pow are
 * not in those loops: an op's transcendental part (e^-x for sigmoid, say) is computed first by
 * {@link VectorMath}'s passes into a per-thread tile that the op's loop then reads, because a
 * loop with many ops inlined is too large for C2 to inline a math function into as well.
 */
final class FloatKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
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
    private static final float GELU_K = 0.7978845608f;
    private static final float SELU_ALPHA = 1.6732632423543772f;
    private static final float SELU_SCALE = 1.0507009873554805f;

    private FloatKernels() {}

    /** What a transcendental part is computed of. */
    private enum Argument { NEG_HALF_SQUARE, GELU_TANH_INNER, CONSTANT }

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
                    unaryWhole(op, p0, p1, seg[0], off[0], t, seg[1], off[1], m);
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
                argument(Argument.GELU_TANH_INNER, 0, xs, xo, t, n);
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
            case POW_SCALAR -> {
                if (p0 != 0) {
                    power(p0 - 1, xs, xo, t, n);
                }
            }
            case SILU -> VectorMath.exp(-1, xs, xo, t, 0, n);
            case GELU -> normalCdf(true, xs, xo, t, n);
            case SOFTPLUS -> VectorMath.exp(-p0, xs, xo, t, 0, n);
            case GELU_TANH -> {
                argument(Argument.GELU_TANH_INNER, 0, xs, xo, t, n);
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
        argument(Argument.NEG_HALF_SQUARE, 0, xs, xo, t, n);
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

    /** t = x^p, except for exponents 0, 1 and 2, which the op's loop computes exactly itself (as PyTorch, x^2 = x * x). */
    private static void power(float p, MemorySegment xs, long xo, MemorySegment t, int n) {
        if (p != 0 && p != 1 && p != 2) {
            argument(Argument.CONSTANT, p, xs, xo, t, n);
            VectorMath.pow(xs, xo, t, 0, t, 0, n);
        }
    }

    private static void argument(Argument a, float c, MemorySegment xs, long xo, MemorySegment t, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = load(xs, xo + 4L * i);
            FloatVector v = switch (a) {
                case NEG_HALF_SQUARE -> x.mul(x).mul(-0.5f);
                case GELU_TANH_INNER -> x.mul(x).mul(x).mul(0.044715f).add(x).mul(GELU_K);
                case CONSTANT -> FloatVector.broadcast(S, c);
            };
            store(v, t, 4L * i);
        }
    }

    /**
     * y = op(x), reading the transcendental part from ts. The result is stored through the Vector
     * API, not store(): C2 parses a call after the switch after every op run so far, by when it
     * may have stopped inlining this program's methods, and a call it does not inline boxes the vector.
     */
    private static void unaryWhole(UnaryOp op, float p0, float p1, MemorySegment xs, long xo, MemorySegment ts,
                                   MemorySegment ys, long yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            long b = 4L * i;
            FloatVector x = load(xs, xo + b);
            FloatVector t = load(ts, b);
            FloatVector y = switch (op) {
                case NEG -> x.neg();
                case EXP, SIGMOID, LOG, LOG1P, TANH -> throw new AssertionError(op + " is one of VectorMath's passes");
                case SQRT -> x.sqrt();
                case RSQRT -> one.div(x.sqrt());
                case ABS -> x.abs();
                case SIGN -> sign(x, zero, one);
                case POW_SCALAR -> p0 == 2 ? x.mul(x) : p0 == 1 ? x : p0 == 0 ? one : t;
                case CLAMP, HARDTANH -> x.max(p0).min(p1).blend(x, x.test(VectorOperators.IS_NAN));
                case RELU -> x.max(zero).blend(x, x.test(VectorOperators.IS_NAN));
                case LEAKY_RELU -> x.blend(x.mul(p0), x.compare(VectorOperators.LE, 0f));
                case ELU -> x.blend(t.mul(p0), x.compare(VectorOperators.LE, 0f));
                case SELU -> x.blend(t.mul(SELU_ALPHA), x.compare(VectorOperators.LE, 0f)).mul(SELU_SCALE);
                case GELU -> x.mul(t);
                case GELU_TANH -> x.mul(0.5f).mul(one.add(t));
                case SOFTPLUS -> t.div(p0).blend(x, x.mul(p0).compare(VectorOperators.GT, p1));
                case SILU -> x.mul(one.div(one.add(t)));
                case STEP -> zero.blend(one, x.compare(VectorOperators.GT, 0f)).blend(p0, x.compare(VectorOperators.EQ, 0f))
                        .blend(x, x.test(VectorOperators.IS_NAN));
                case LOGICAL_NOT -> zero.blend(one, x.compare(VectorOperators.EQ, 0f));
            };
            y.intoMemorySegment(ys, yo + b, NATIVE); // not store(): see unaryWhole's javadoc
        }
    }

    /** s[0] = x, s[1] = y, s[2] = gradOut, s[3] = gradIn. */
    static void unaryBackward(UnaryOp op, float p0, float p1, MemorySegment[] s, long[] o, int n) {
        withTail(s, o, n, 3, (seg, off, m) -> {
            MemorySegment t = TRANSCENDENTAL.get();
            derivativePart(op, p0, seg[0], off[0], t, m);
            unaryBackwardWhole(op, p0, p1, seg, off, t, m);
        });
    }

    /** gradIn = gradOut * op'(x), reading the derivative's transcendental part from ts. */
    private static void unaryBackwardWhole(UnaryOp op, float p0, float p1, MemorySegment[] s, long[] o, MemorySegment ts, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            long b = 4L * i;
            FloatVector x = load(s[0], o[0] + b);
            FloatVector y = load(s[1], o[1] + b);
            FloatVector g = load(s[2], o[2] + b);
            FloatVector t = load(ts, b);
            FloatVector d = switch (op) {
                case NEG -> g.neg();
                case EXP -> g.mul(y);
                case LOG -> g.div(x);
                case LOG1P -> g.div(x.add(one));
                case SQRT -> g.mul(0.5f).div(y);
                case RSQRT -> g.mul(y.mul(y).mul(y)).mul(-0.5f);
                case ABS -> g.mul(sign(x, zero, one));
                case SIGN, STEP, LOGICAL_NOT -> zero;
                case POW_SCALAR -> p0 == 0 ? zero : g.mul((p0 == 3 ? x.mul(x) : p0 == 2 ? x : p0 == 1 ? one : t).mul(p0));
                case CLAMP -> zero.blend(g, x.compare(VectorOperators.GE, p0).and(x.compare(VectorOperators.LE, p1)));
                case HARDTANH -> zero.blend(g, x.compare(VectorOperators.GT, p0).and(x.compare(VectorOperators.LT, p1)));
                case SIGMOID -> g.mul(y).mul(one.sub(y));
                case TANH -> g.mul(one.sub(y.mul(y)));
                case RELU -> zero.blend(g, x.compare(VectorOperators.GT, 0f));
                case LEAKY_RELU -> g.mul(p0).blend(g, x.compare(VectorOperators.GT, 0f));
                case ELU -> g.mul(t.mul(p0)).blend(g, x.compare(VectorOperators.GT, 0f));
                case SELU -> g.mul(t.mul(SELU_ALPHA)).blend(g, x.compare(VectorOperators.GT, 0f)).mul(SELU_SCALE);
                case GELU -> g.mul(t);
                case GELU_TANH -> {
                    FloatVector dInner = x.mul(x).mul(3 * 0.044715f).add(one).mul(GELU_K);
                    yield g.mul(one.add(t).mul(0.5f).add(x.mul(0.5f).mul(one.sub(t.mul(t))).mul(dInner)));
                }
                case SOFTPLUS -> g.mul(one.div(one.add(t))).blend(g, x.mul(p0).compare(VectorOperators.GT, p1));
                case SILU -> {
                    FloatVector sg = one.div(one.add(t));
                    yield g.mul(sg.mul(one.add(x.mul(one.sub(sg)))));
                }
            };
            d.intoMemorySegment(s[3], o[3] + b, NATIVE); // not store(): see unaryWhole's javadoc
        }
    }

    /** s[0] = a, s[1] = b, s[2] = out. Comparisons write 1 or 0. */
    static void binary(BinaryOp op, MemorySegment[] s, long[] o, int n) {
        withTail(s, o, n, 2, (seg, off, m) -> {
            if (op == BinaryOp.POW) {
                VectorMath.pow(seg[0], off[0], seg[1], off[1], seg[2], off[2], m);
            } else {
                binaryWhole(op, seg, off, m);
            }
        });
    }

    private static void binaryWhole(BinaryOp op, MemorySegment[] s, long[] o, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            long b = 4L * i;
            FloatVector x = load(s[0], o[0] + b);
            FloatVector y = load(s[1], o[1] + b);
            FloatVector r = switch (op) {
                case ADD -> x.add(y);
                case SUB -> x.sub(y);
                case MUL -> x.mul(y);
                case DIV -> x.div(y);
                case POW -> throw new AssertionError("pow has its own pass");
                case MAXIMUM -> x.max(y);
                case MINIMUM -> x.min(y);
                case EQ -> zero.blend(one, x.compare(VectorOperators.EQ, y));
                case NE -> zero.blend(one, x.compare(VectorOperators.NE, y));
                case LT -> zero.blend(one, x.compare(VectorOperators.LT, y));
                case LE -> zero.blend(one, x.compare(VectorOperators.LE, y));
                case GT -> zero.blend(one, x.compare(VectorOperators.GT, y));
                case GE -> zero.blend(one, x.compare(VectorOperators.GE, y));
                case LOGICAL_AND -> zero.blend(one, x.compare(VectorOperators.NE, 0f).and(y.compare(VectorOperators.NE, 0f)));
                case LOGICAL_OR -> zero.blend(one, x.compare(VectorOperators.NE, 0f).or(y.compare(VectorOperators.NE, 0f)));
            };
            r.intoMemorySegment(s[2], o[2] + b, NATIVE); // not store(): see unaryWhole's javadoc
        }
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

    private static FloatVector sign(FloatVector x, FloatVector zero, FloatVector one) {
        return zero.blend(one, x.compare(VectorOperators.GT, 0f)).blend(one.neg(), x.compare(VectorOperators.LT, 0f))
                .blend(x, x.test(VectorOperators.IS_NAN));
    }
}
