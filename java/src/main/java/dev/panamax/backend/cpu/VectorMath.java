package dev.panamax.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, sigmoid, expm1, tanh, log, log1p and pow over dense float32 runs, reproducible bit for bit.
 *
 * <p>The Vector API's own transcendental lanes ({@code VectorOperators.EXP} and friends) are not:
 * C2 calls an intrinsic (SVML) while the interpreter and C1 call {@code Math} per lane, so the
 * last bit of the same call changes as a run warms up. These passes use only lane operations that
 * IEEE 754 defines exactly (add, sub, mul, fma, div, compare, blend, min/max, integer shifts, bit
 * reinterpretation, float/double conversion), so every tier computes the same bits.
 *
 * <p>Method (Cephes-style): exp reduces x = n ln2 + r with |r| &lt;= ln2/2 (n rounded by the
 * 1.5 * 2^23 trick, ln2 split in two so n ln2 is exact), evaluates e^r - 1 by its Taylor
 * polynomial to degree 7 (the first term left out is under 0.2 ulp) and scales by 2^n through
 * the exponent bits, in two steps so that results near overflow and in the subnormal range round
 * once. expm1 adds 2^n - 1 exactly while n &lt;= 24. tanh is Cephes' odd polynomial below 0.625
 * and 1 - 2 / (e^2|x| + 1) above. log splits x into m 2^e with m in [sqrt(1/2), sqrt(2)) and
 * uses Cephes' logf polynomial in m - 1; log1p adds the rounding error of u = 1 + x back as
 * err / u. pow needs log|x| with more bits than float has, so it computes e^(y log|x|) in double
 * lanes and rounds once. Measured accuracy is in VectorMathTest.
 *
 * <p>The functions are passes over memory, not functions of vectors, each its own loop: C2 gives
 * up inlining a program's own methods once a compilation has made about 18000 nodes (each vector
 * op makes several hundred while it is parsed), and a call it does not inline boxes every vector
 * that crosses it, which costs 5-30x. A pass is entered with memory, not vectors, so a caller
 * that does not inline it boxes nothing, and it calls its few helpers first thing in its loop,
 * before its own compilation has grown.
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatKernels.S;
    private static final int L = S.length();
    /** Half as many floats as S: what one vector of doubles of S's size converts to and from. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private static final float ROUND_MAGIC = 0x1.8p23f; // t + 1.5 * 2^23 rounds t to an integer kept in the low mantissa bits
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f; // 9 significant bits: n * LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f; // ln2 - LN2_HI
    private static final float EXP_MIN = -104f; // e^x < 2^-150 below: rounds to 0
    private static final float EXP_MAX = 89f; // e^x > FLT_MAX above
    private static final float EXPM1_MIN = -30f; // e^x - 1 rounds to -1 below, and 2^n stays normal
    private static final int EXACT_POW2_MINUS_1 = 24; // 2^n - 1 is exact up to n = 24
    private static final float TANH_POLY_LIMIT = 0.625f;
    private static final float SQRT_HALF = 0.707106781186547524f;

    private static final double ROUND_MAGIC_D = 0x1.8p52;
    private static final long ROUND_MAGIC_D_BITS = Double.doubleToRawLongBits(ROUND_MAGIC_D);
    private static final long SQRT_HALF_D_BITS = Double.doubleToRawLongBits(Math.sqrt(0.5));
    private static final double LN2_D = 0.6931471805599453;
    private static final double LN2_HI_D = 6.93147180369123816490e-01; // fdlibm: low 32 bits zero, n * LN2_HI_D exact
    private static final double LN2_LO_D = 1.90821492927058770002e-10;
    private static final double INV_LN2_D = 1.4426950408889634;
    private static final double POW_EXPONENT_LIMIT = 200; // beyond +-104 every float result is 0 or inf

    private VectorMath() {}

    // The passes: n floats from byte offset xo of xs to byte offset yo of ys; n a multiple of S's
    // length; the output may be the input.

    /** e^(c x): c = 1 for e^x, -1 for sigmoid's e^-x (c x is x's product with c, rounded as usual). */
    static void exp(float c, MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        for (int i = 0; i < n; i += L) {
            exp(FloatVector.fromMemorySegment(S, xs, xo + 4L * i, NATIVE).mul(c)).intoMemorySegment(ys, yo + 4L * i, NATIVE);
        }
    }

    /**
     * The logistic sigmoid 1 / (1 + e^-x), in one pass (the commonest activation built on exp), as
     * e^x / (1 + e^x) for x &lt; 0 so that e^-|x| never overflows and tiny results keep their bits.
     */
    static void sigmoid(MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(S, xs, xo + 4L * i, NATIVE);
            FloatVector e = exp(x.abs().neg());
            one.blend(e, x.compare(VectorOperators.LT, 0f)).div(one.add(e)).intoMemorySegment(ys, yo + 4L * i, NATIVE);
        }
    }

    /** e^x - 1, without cancellation near 0. */
    static void expm1(MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(S, xs, xo + 4L * i, NATIVE);
            FloatVector xc = x.max(EXPM1_MIN).min(EXP_MAX);
            FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
            FloatVector em = expm1Reduced(xc, t);
            IntVector k = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            // 2^k em + (2^k - 1): exact scaling and an exact 2^k - 1 while k <= 24; above, 2^k (em + 1) - 1
            FloatVector s = k.min(EXACT_POW2_MINUS_1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            IntVector half = k.lanewise(VectorOperators.ASHR, 1);
            FloatVector large = em.add(1f)
                    .mul(half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(k.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .sub(1f);
            s.fma(em, s.sub(1f))
                    .blend(large, k.compare(VectorOperators.GT, EXACT_POW2_MINUS_1).cast(S))
                    .blend(x, x.compare(VectorOperators.EQ, 0f)) // keeps the sign of -0
                    .intoMemorySegment(ys, yo + 4L * i, NATIVE);
        }
    }

    /** Hyperbolic tangent. */
    static void tanh(MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(S, xs, xo + 4L * i, NATIVE);
            FloatVector a = x.abs();
            FloatVector e = exp(a.add(a)); // +inf beyond 44: 2 / inf = 0, tanh = 1
            FloatVector z = a.mul(a);
            FloatVector q = z.fma(-5.70498872745E-3f, 2.06390887954E-2f)
                    .lanewise(VectorOperators.FMA, z, -5.37397155531E-2f)
                    .lanewise(VectorOperators.FMA, z, 1.33314422036E-1f)
                    .lanewise(VectorOperators.FMA, z, -3.33332819422E-1f);
            FloatVector small = q.mul(z).fma(a, a);
            FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
            FloatVector th = small.blend(large, a.compare(VectorOperators.GE, TANH_POLY_LIMIT));
            th.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats() // sign of x
                    .intoMemorySegment(ys, yo + 4L * i, NATIVE);
        }
    }

    /** Natural log: -inf at +-0, NaN below 0. */
    static void log(MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(S, xs, xo + 4L * i, NATIVE);
            logPositive(x)
                    .blend(Float.NaN, x.compare(VectorOperators.LT, 0f))
                    .blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f))
                    .blend(x, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(x.test(VectorOperators.IS_NAN)))
                    .intoMemorySegment(ys, yo + 4L * i, NATIVE);
        }
    }

    /** log(1 + x), without cancellation near 0. */
    static void log1p(MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(S, xs, xo + 4L * i, NATIVE);
            FloatVector u = x.add(1f);
            FloatVector y = logPositive(u); // u is never subnormal
            // 1 + x - u exactly (Knuth's TwoSum): u's rounding error, added back as err / u
            FloatVector b = u.sub(1f);
            FloatVector err = FloatVector.broadcast(S, 1f).sub(u.sub(b)).add(x.sub(b));
            y.add(err.div(u))
                    .blend(Float.NaN, x.compare(VectorOperators.LT, -1f))
                    .blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, -1f))
                    // tiny |x|: log1p(x) rounds to x (and -0 stays -0); infinity and NaN: themselves
                    .blend(x, x.abs().compare(VectorOperators.LT, 0x1p-24f)
                            .or(x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)).or(x.test(VectorOperators.IS_NAN)))
                    .intoMemorySegment(ys, yo + 4L * i, NATIVE);
        }
    }

    // The passes share these, called first thing in their loops: C2 decides whether to inline a
    // call by the size its compilation has reached, and a pass's own lanes come after.

    /** e^x. */
    private static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX); // Java's max/min: NaN stays NaN
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector em = expm1Reduced(xc, t);
        // 2^k (1 + em), multiplying by 2^(k/2) then 2^(k - k/2) so that only the last product rounds
        IntVector k = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        IntVector half = k.lanewise(VectorOperators.ASHR, 1);
        return em.add(1f)
                .mul(half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(k.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** e^r - 1 for r = x - k ln2, |r| &lt;= ln2/2, where t = x log2(e) + ROUND_MAGIC holds k in its low bits. */
    private static FloatVector expm1Reduced(FloatVector x, FloatVector t) {
        FloatVector k = t.sub(ROUND_MAGIC);
        FloatVector r = k.lanewise(VectorOperators.FMA, -LN2_LO, k.lanewise(VectorOperators.FMA, -LN2_HI, x));
        FloatVector p = r.fma(1f / 5040, 1f / 720)
                .lanewise(VectorOperators.FMA, r, 1f / 120)
                .lanewise(VectorOperators.FMA, r, 1f / 24)
                .lanewise(VectorOperators.FMA, r, 1f / 6)
                .lanewise(VectorOperators.FMA, r, 1f / 2);
        return r.mul(r).lanewise(VectorOperators.FMA, p, r);
    }

    /** log u for finite u &gt; 0, subnormals included. */
    private static FloatVector logPositive(FloatVector u) {
        // u = m 2^e, m in [0.5, 1) from the bits, subnormals scaled by 2^23 first
        VectorMask<Float> subnormal = u.compare(VectorOperators.LT, 0x1p-126f);
        IntVector bits = u.blend(u.mul(0x1p23f), subnormal).reinterpretAsInts();
        FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
        // the biased exponent as a float by the ROUND_MAGIC trick: 2^23 + E - (2^23 + 126) = E - 126
        FloatVector e = bits.lanewise(VectorOperators.LSHR, 23).or(0x4B000000).reinterpretAsFloats().sub(0x1p23f + 126f);
        e = e.blend(e.sub(23f), subnormal);
        VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
        e = e.blend(e.sub(1f), low);
        FloatVector f = m.blend(m.add(m), low).sub(1f); // exact: m in [sqrt(1/2), sqrt(2)) less 1
        FloatVector z = f.mul(f);
        FloatVector p = f.fma(7.0376836292E-2f, -1.1514610310E-1f)
                .lanewise(VectorOperators.FMA, f, 1.1676998740E-1f)
                .lanewise(VectorOperators.FMA, f, -1.2420140846E-1f)
                .lanewise(VectorOperators.FMA, f, 1.4249322787E-1f)
                .lanewise(VectorOperators.FMA, f, -1.6668057665E-1f)
                .lanewise(VectorOperators.FMA, f, 2.0000714765E-1f)
                .lanewise(VectorOperators.FMA, f, -2.4999993993E-1f)
                .lanewise(VectorOperators.FMA, f, 3.3333331174E-1f);
        FloatVector w = e.lanewise(VectorOperators.FMA, LN2_LO, p.mul(f).mul(z));
        w = z.lanewise(VectorOperators.FMA, -0.5f, w);
        return e.lanewise(VectorOperators.FMA, LN2_HI, f.add(w));
    }

    /**
     * z = x^y with the special cases of C's pow (so PyTorch's, as {@code ScalarMath.pow}): 1^y = 1
     * and x^0 = 1 even for NaN, (-1)^(+-inf) = 1, a negative base gives NaN unless y is an integer
     * (negated for odd y), and the signed zeros and infinities of {@link Math#pow}.
     */
    static void pow(MemorySegment xs, long xo, MemorySegment ys, long yo, MemorySegment zs, long zo, int n) {
        for (int i = 0; i < n; i += HALF.length()) {
            FloatVector x = FloatVector.fromMemorySegment(HALF, xs, xo + 4L * i, NATIVE);
            FloatVector y = FloatVector.fromMemorySegment(HALF, ys, yo + 4L * i, NATIVE);
            FloatVector ax = x.abs();
            DoubleVector a = (DoubleVector) ax.convertShape(VectorOperators.F2D, D, 0);
            // log a: a = m 2^k with m in [sqrt(1/2), sqrt(2)): sqrt(1/2)'s bits subtracted, the exponent field steps there
            LongVector k = a.reinterpretAsLongs().sub(SQRT_HALF_D_BITS).lanewise(VectorOperators.ASHR, 52);
            DoubleVector m = a.reinterpretAsLongs().sub(k.lanewise(VectorOperators.LSHL, 52)).reinterpretAsDoubles();
            DoubleVector kd = k.add(ROUND_MAGIC_D_BITS).reinterpretAsDoubles().sub(ROUND_MAGIC_D);
            DoubleVector s = m.sub(1.0).div(m.add(1.0));
            DoubleVector s2 = s.mul(s);
            // 2 atanh(s) = 2s (1 + s^2/3 + s^4/5 + ...): |s| <= 0.172, terms to s^13 leave 1e-12 (a float ulp is 6e-8)
            DoubleVector q = s2.fma(1.0 / 13, 1.0 / 11)
                    .lanewise(VectorOperators.FMA, s2, 1.0 / 9)
                    .lanewise(VectorOperators.FMA, s2, 1.0 / 7)
                    .lanewise(VectorOperators.FMA, s2, 1.0 / 5)
                    .lanewise(VectorOperators.FMA, s2, 1.0 / 3);
            DoubleVector log = kd.lanewise(VectorOperators.FMA, LN2_D, s.add(s).lanewise(VectorOperators.FMA, q.mul(s2), s.add(s)))
                    .blend(Double.NEGATIVE_INFINITY, a.compare(VectorOperators.EQ, 0.0))
                    .blend(a, a.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY).or(a.test(VectorOperators.IS_NAN)));
            // e^t, t = y log a: t = j ln2 + r, e^r by Taylor to r^10 (the first term left out is 2e-13)
            DoubleVector t = ((DoubleVector) y.convertShape(VectorOperators.F2D, D, 0)).mul(log)
                    .max(-POW_EXPONENT_LIMIT).min(POW_EXPONENT_LIMIT);
            DoubleVector jm = t.fma(INV_LN2_D, ROUND_MAGIC_D);
            DoubleVector j = jm.sub(ROUND_MAGIC_D);
            DoubleVector r = j.lanewise(VectorOperators.FMA, -LN2_LO_D, j.lanewise(VectorOperators.FMA, -LN2_HI_D, t));
            DoubleVector er = r.fma(1.0 / 3628800, 1.0 / 362880)
                    .lanewise(VectorOperators.FMA, r, 1.0 / 40320)
                    .lanewise(VectorOperators.FMA, r, 1.0 / 5040)
                    .lanewise(VectorOperators.FMA, r, 1.0 / 720)
                    .lanewise(VectorOperators.FMA, r, 1.0 / 120)
                    .lanewise(VectorOperators.FMA, r, 1.0 / 24)
                    .lanewise(VectorOperators.FMA, r, 1.0 / 6)
                    .lanewise(VectorOperators.FMA, r, 0.5)
                    .lanewise(VectorOperators.FMA, r, 1.0)
                    .lanewise(VectorOperators.FMA, r, 1.0);
            DoubleVector scale = jm.reinterpretAsLongs().sub(ROUND_MAGIC_D_BITS).add(1023).lanewise(VectorOperators.LSHL, 52)
                    .reinterpretAsDoubles();
            FloatVector mag = (FloatVector) er.mul(scale).convertShape(VectorOperators.D2F, HALF, 0);
            // integer tests by rounding through 2^23: every float of magnitude >= 2^23 is an integer, >= 2^24 even
            FloatVector ay = y.abs();
            VectorMask<Float> integer = ay.compare(VectorOperators.GE, 0x1p23f)
                    .or(ay.add(0x1p23f).sub(0x1p23f).compare(VectorOperators.EQ, ay));
            FloatVector halfY = ay.mul(0.5f);
            VectorMask<Float> odd = integer.andNot(ay.compare(VectorOperators.GE, 0x1p24f))
                    .and(halfY.add(0x1p23f).sub(0x1p23f).compare(VectorOperators.NE, halfY));
            VectorMask<Float> negated = x.reinterpretAsInts().compare(VectorOperators.LT, 0).cast(HALF).and(odd);
            VectorMask<Float> nan = x.compare(VectorOperators.LT, 0f).and(ax.compare(VectorOperators.NE, Float.POSITIVE_INFINITY))
                    .andNot(integer);
            VectorMask<Float> one = y.compare(VectorOperators.EQ, 0f).or(x.compare(VectorOperators.EQ, 1f))
                    .or(x.compare(VectorOperators.EQ, -1f).and(ay.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)));
            mag.blend(mag.neg(), negated).blend(Float.NaN, nan).blend(1f, one)
                    .intoMemorySegment(zs, zo + 4L * i, NATIVE);
        }
    }
}
