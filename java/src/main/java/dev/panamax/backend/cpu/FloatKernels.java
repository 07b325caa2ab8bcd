package dev.panamax.backend.cpu;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.UnaryOp;
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
 * shared loop goes megamorphic and forces every vector onto the heap.
 */
final class FloatKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int MAX_OPERANDS = 4;
    private static final ThreadLocal<MemorySegment[]> TAIL = ThreadLocal.withInitial(() -> {
        MemorySegment[] t = new MemorySegment[MAX_OPERANDS];
        for (int i = 0; i < t.length; i++) {
            t[i] = MemorySegment.ofArray(new float[L]);
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
        withTail(s, o, n, 1, (seg, off, m) -> unaryWhole(op, p0, p1, seg[0], off[0], seg[1], off[1], m));
    }

    private static void unaryWhole(UnaryOp op, float p0, float p1, MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            long b = 4L * i;
            FloatVector x = load(xs, xo + b);
            FloatVector y = switch (op) {
                case NEG -> x.neg();
                case EXP -> x.lanewise(VectorOperators.EXP);
                case LOG -> x.lanewise(VectorOperators.LOG);
                case LOG1P -> x.lanewise(VectorOperators.LOG1P);
                case SQRT -> x.sqrt();
                case RSQRT -> one.div(x.sqrt());
                case ABS -> x.abs();
                case SIGN -> sign(x, zero, one);
                case POW_SCALAR -> pow(x, FloatVector.broadcast(S, p0), one);
                case CLAMP, HARDTANH -> x.max(p0).min(p1).blend(x, x.test(VectorOperators.IS_NAN));
                case SIGMOID -> sigmoid(x, one);
                case TANH -> x.lanewise(VectorOperators.TANH);
                case RELU -> x.max(zero).blend(x, x.test(VectorOperators.IS_NAN));
                case LEAKY_RELU -> x.blend(x.mul(p0), x.compare(VectorOperators.LE, 0f));
                case ELU -> x.blend(x.lanewise(VectorOperators.EXPM1).mul(p0), x.compare(VectorOperators.LE, 0f));
                case SELU -> x.blend(x.lanewise(VectorOperators.EXPM1).mul(SELU_ALPHA), x.compare(VectorOperators.LE, 0f)).mul(SELU_SCALE);
                case GELU -> x.mul(normalCdf(x, one));
                case GELU_TANH -> x.mul(0.5f).mul(one.add(geluTanhInner(x).lanewise(VectorOperators.TANH)));
                case SOFTPLUS -> softplus(x, p0, p1, one);
                case SILU -> x.mul(sigmoid(x, one));
                case STEP -> zero.blend(one, x.compare(VectorOperators.GT, 0f)).blend(p0, x.compare(VectorOperators.EQ, 0f))
                        .blend(x, x.test(VectorOperators.IS_NAN));
                case LOGICAL_NOT -> zero.blend(one, x.compare(VectorOperators.EQ, 0f));
            };
            store(y, ys, yo + b);
        }
    }

    /** s[0] = x, s[1] = y, s[2] = gradOut, s[3] = gradIn. */
    static void unaryBackward(UnaryOp op, float p0, float p1, MemorySegment[] s, long[] o, int n) {
        withTail(s, o, n, 3, (seg, off, m) -> unaryBackwardWhole(op, p0, p1, seg, off, m));
    }

    private static void unaryBackwardWhole(UnaryOp op, float p0, float p1, MemorySegment[] s, long[] o, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            long b = 4L * i;
            FloatVector x = load(s[0], o[0] + b);
            FloatVector y = load(s[1], o[1] + b);
            FloatVector g = load(s[2], o[2] + b);
            FloatVector d = switch (op) {
                case NEG -> g.neg();
                case EXP -> g.mul(y);
                case LOG -> g.div(x);
                case LOG1P -> g.div(x.add(one));
                case SQRT -> g.mul(0.5f).div(y);
                case RSQRT -> g.mul(y.mul(y).mul(y)).mul(-0.5f);
                case ABS -> g.mul(sign(x, zero, one));
                case SIGN, STEP, LOGICAL_NOT -> zero;
                case POW_SCALAR -> p0 == 0 ? zero : g.mul(x.lanewise(VectorOperators.POW, p0 - 1).mul(p0));
                case CLAMP -> zero.blend(g, x.compare(VectorOperators.GE, p0).and(x.compare(VectorOperators.LE, p1)));
                case HARDTANH -> zero.blend(g, x.compare(VectorOperators.GT, p0).and(x.compare(VectorOperators.LT, p1)));
                case SIGMOID -> g.mul(y).mul(one.sub(y));
                case TANH -> g.mul(one.sub(y.mul(y)));
                case RELU -> zero.blend(g, x.compare(VectorOperators.GT, 0f));
                case LEAKY_RELU -> g.mul(p0).blend(g, x.compare(VectorOperators.GT, 0f));
                case ELU -> g.mul(x.lanewise(VectorOperators.EXP).mul(p0)).blend(g, x.compare(VectorOperators.GT, 0f));
                case SELU -> g.mul(x.lanewise(VectorOperators.EXP).mul(SELU_ALPHA)).blend(g, x.compare(VectorOperators.GT, 0f)).mul(SELU_SCALE);
                case GELU -> g.mul(normalCdf(x, one).add(x.mul(normalPdf(x))));
                case GELU_TANH -> {
                    FloatVector t = geluTanhInner(x).lanewise(VectorOperators.TANH);
                    FloatVector dInner = x.mul(x).mul(3 * 0.044715f).add(one).mul(GELU_K);
                    yield g.mul(one.add(t).mul(0.5f).add(x.mul(0.5f).mul(one.sub(t.mul(t))).mul(dInner)));
                }
                case SOFTPLUS -> g.mul(sigmoid(x.mul(p0), one)).blend(g, x.mul(p0).compare(VectorOperators.GT, p1));
                case SILU -> {
                    FloatVector sg = sigmoid(x, one);
                    yield g.mul(sg.mul(one.add(x.mul(one.sub(sg)))));
                }
            };
            store(d, s[3], o[3] + b);
        }
    }

    /** s[0] = a, s[1] = b, s[2] = out. Comparisons write 1 or 0. */
    static void binary(BinaryOp op, MemorySegment[] s, long[] o, int n) {
        withTail(s, o, n, 2, (seg, off, m) -> binaryWhole(op, seg, off, m));
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
                case POW -> pow(x, y, one);
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
            store(r, s[2], o[2] + b);
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

    /** x^y with C's special cases, as ScalarMath.pow: 1^y = 1 (y NaN too) and (-1)^(+-inf) = 1. */
    private static FloatVector pow(FloatVector x, FloatVector y, FloatVector one) {
        VectorMask<Float> isOne = x.compare(VectorOperators.EQ, 1f)
                .or(x.compare(VectorOperators.EQ, -1f).and(y.abs().compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)));
        return x.lanewise(VectorOperators.POW, y).blend(one, isOne);
    }

    private static FloatVector sigmoid(FloatVector x, FloatVector one) {
        return one.div(one.add(x.neg().lanewise(VectorOperators.EXP)));
    }

    private static FloatVector erf(FloatVector x, FloatVector one) {
        FloatVector ax = x.abs();
        FloatVector t = one.div(ax.mul(ERF_P).add(one));
        FloatVector poly = t.mul(ERF_A[4]).add(ERF_A[3]).mul(t).add(ERF_A[2]).mul(t).add(ERF_A[1]).mul(t).add(ERF_A[0]).mul(t);
        FloatVector e = one.sub(poly.mul(ax.mul(ax).neg().lanewise(VectorOperators.EXP)));
        return e.blend(e.neg(), x.compare(VectorOperators.LT, 0f));
    }

    private static FloatVector normalCdf(FloatVector x, FloatVector one) {
        return one.add(erf(x.mul(INV_SQRT2), one)).mul(0.5f);
    }

    private static FloatVector normalPdf(FloatVector x) {
        return x.mul(x).mul(-0.5f).lanewise(VectorOperators.EXP).mul(INV_SQRT_2PI);
    }

    private static FloatVector geluTanhInner(FloatVector x) {
        return x.mul(x).mul(x).mul(0.044715f).add(x).mul(GELU_K);
    }

    private static FloatVector softplus(FloatVector x, float beta, float threshold, FloatVector one) {
        FloatVector bx = x.mul(beta);
        // log1p, not log(1 + e): for beta*x below about -17, 1 + e rounds to 1 and the result to 0
        FloatVector soft = bx.lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P).div(beta);
        return soft.blend(x, bx.compare(VectorOperators.GT, threshold));
    }
}
