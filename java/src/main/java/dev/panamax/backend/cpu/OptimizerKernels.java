package dev.panamax.backend.cpu;

import dev.panamax.backend.AdamUpdate;
import dev.panamax.backend.Operand;
import dev.panamax.backend.SgdUpdate;
import dev.panamax.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * Fused optimizer steps: one pass reads the parameter, its gradient and the optimizer's state
 * buffers and writes the parameter and the state in place, instead of a dozen elementwise ops
 * with their temporaries.
 *
 * <p>Operands are contiguous, of one dtype and size. Operand 0 is the parameter and operand 1 the
 * gradient (read only); the rest are state buffers. The work is cut into ranges over
 * {@link Parallel}; every element is computed by the same instructions wherever a range or a
 * vector boundary falls, so results do not depend on the thread count.
 */
final class OptimizerKernels {
    private static final long GRAIN = 16_384;
    /** Elements per call of a loop body, so a range of any length is walked with int counters. */
    private static final int BLOCK = 1 << 16;
    private static final int L = FloatKernels.L;
    private static final int MAX_OPERANDS = 5;
    // Native like the tensors: a body that also saw heap segments would compile its loads as virtual calls.
    private static final ThreadLocal<MemorySegment[]> TAIL = ThreadLocal.withInitial(() -> {
        MemorySegment[] t = new MemorySegment[MAX_OPERANDS];
        Arena arena = Arena.ofAuto();
        for (int i = 0; i < t.length; i++) {
            t[i] = arena.allocate(4L * L, 64);
        }
        return t;
    });

    private OptimizerKernels() {}

    /** A loop over {@code n} dense elements of every operand, starting at byte offsets {@code o}. */
    @FunctionalInterface
    private interface Body {
        void run(MemorySegment[] s, long[] o, int n);
    }

    static void sgd(Operand param, Operand grad, Operand momentumBuffer, SgdUpdate u) {
        Operand[] ops = momentumBuffer == null ? new Operand[] {param, grad} : new Operand[] {param, grad, momentumBuffer};
        if (param.dtype() == DType.FLOAT32) {
            run(ops, (s, o, n) -> withTail(s, o, n, (ts, to, m) -> sgdFloat(u, ts, to, m)));
        } else {
            run(ops, (s, o, n) -> sgdDouble(u, s, o, n));
        }
    }

    static void adam(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, Operand maxExpAvgSq, AdamUpdate u) {
        Operand[] ops = maxExpAvgSq == null ? new Operand[] {param, grad, expAvg, expAvgSq}
                : new Operand[] {param, grad, expAvg, expAvgSq, maxExpAvgSq};
        if (param.dtype() == DType.FLOAT32) {
            run(ops, (s, o, n) -> withTail(s, o, n, (ts, to, m) -> adamFloat(u, ts, to, m)));
        } else {
            run(ops, (s, o, n) -> adamDouble(u, s, o, n));
        }
    }

    /** Splits the elements over the pool and hands each range to {@code body} in blocks. */
    private static void run(Operand[] ops, Body body) {
        long n = ops[0].numel();
        int bytes = ops[0].dtype().byteSize();
        Parallel.forRange(n, GRAIN, (from, to) -> {
            MemorySegment[] s = new MemorySegment[ops.length];
            long[] o = new long[ops.length];
            for (long start = from; start < to; start += BLOCK) {
                for (int k = 0; k < ops.length; k++) {
                    s[k] = CpuBackend.segment(ops[k]);
                    o[k] = (ops[k].offset() + start) * bytes;
                }
                body.run(s, o, (int) Math.min(BLOCK, to - start));
            }
        });
    }

    /**
     * Runs a whole-vector float loop on the whole vectors in place and on the ragged tail through
     * zero-padded copies, writing back every operand but the gradient.
     */
    private static void withTail(MemorySegment[] s, long[] o, int n, Body wholeVectors) {
        int whole = n - n % L;
        if (whole > 0) {
            wholeVectors.run(s, o, whole);
        }
        int rest = n - whole;
        if (rest == 0) {
            return;
        }
        MemorySegment[] tail = TAIL.get();
        MemorySegment[] ts = new MemorySegment[s.length];
        for (int k = 0; k < s.length; k++) {
            ts[k] = tail[k];
            tail[k].fill((byte) 0);
            MemorySegment.copy(s[k], o[k] + 4L * whole, tail[k], 0, 4L * rest);
        }
        wholeVectors.run(ts, new long[s.length], L);
        for (int k = 0; k < s.length; k++) {
            if (k != 1) {
                MemorySegment.copy(tail[k], 0, s[k], o[k] + 4L * whole, 4L * rest);
            }
        }
    }

    // ---------------------------------------------------------------- SGD

    private static void sgdFloat(SgdUpdate u, MemorySegment[] s, long[] o, int n) {
        boolean hasBuffer = s.length == 3;
        float lr = (float) u.lr();
        float wd = (float) u.weightDecay();
        float momentum = (float) u.momentum();
        float keep = (float) (1 - u.dampening());
        for (int i = 0; i < n; i += L) {
            long b = 4L * i;
            FloatVector p = FloatKernels.load(s[0], o[0] + b);
            FloatVector g = FloatKernels.load(s[1], o[1] + b);
            if (wd != 0) {
                g = g.add(p.mul(wd));
            }
            if (hasBuffer) {
                FloatVector buf = u.firstStep() ? g : FloatKernels.load(s[2], o[2] + b).mul(momentum).add(g.mul(keep));
                FloatKernels.store(buf, s[2], o[2] + b);
                g = u.nesterov() ? g.add(buf.mul(momentum)) : buf;
            }
            FloatKernels.store(p.add(g.mul(-lr)), s[0], o[0] + b);
        }
    }

    private static void sgdDouble(SgdUpdate u, MemorySegment[] s, long[] o, int n) {
        boolean hasBuffer = s.length == 3;
        double keep = 1 - u.dampening();
        for (int i = 0; i < n; i++) {
            double p = get(s, o, 0, i);
            double g = get(s, o, 1, i);
            if (u.weightDecay() != 0) {
                g = g + p * u.weightDecay();
            }
            if (hasBuffer) {
                double buf = u.firstStep() ? g : get(s, o, 2, i) * u.momentum() + g * keep;
                set(s, o, 2, i, buf);
                g = u.nesterov() ? g + buf * u.momentum() : buf;
            }
            set(s, o, 0, i, p + g * -u.lr());
        }
    }

    // ---------------------------------------------------------------- Adam, AdamW, NAdam

    private static void adamFloat(AdamUpdate u, MemorySegment[] s, long[] o, int n) {
        boolean amsgrad = s.length == 5;
        float wd = (float) u.weightDecay();
        float scale = (float) u.paramScale();
        float w = (float) (1 - u.beta1());
        float beta2 = (float) u.beta2();
        float oneMinusBeta2 = (float) (1 - u.beta2());
        float bc2 = (float) u.biasCorrection2Sqrt();
        float eps = (float) u.eps();
        float gradStep = (float) u.gradStep();
        float avgStep = (float) u.avgStep();
        for (int i = 0; i < n; i += L) {
            long b = 4L * i;
            FloatVector p = FloatKernels.load(s[0], o[0] + b);
            FloatVector g = FloatKernels.load(s[1], o[1] + b);
            if (wd != 0) {
                g = g.add(p.mul(wd));
            }
            if (scale != 1) {
                p = p.mul(scale);
            }
            FloatVector m = FloatKernels.load(s[2], o[2] + b);
            // PyTorch's lerp: the form that is exact at its own end of the weight range
            m = w < 0.5f ? m.add(g.sub(m).mul(w)) : g.sub(g.sub(m).mul(1 - w));
            FloatVector v = FloatKernels.load(s[3], o[3] + b).mul(beta2).add(g.mul(oneMinusBeta2).mul(g));
            FloatKernels.store(m, s[2], o[2] + b);
            FloatKernels.store(v, s[3], o[3] + b);
            if (amsgrad) {
                v = FloatKernels.load(s[4], o[4] + b).max(v);
                FloatKernels.store(v, s[4], o[4] + b);
            }
            FloatVector denom = v.sqrt().div(bc2).add(eps);
            if (gradStep != 0) {
                p = p.add(g.div(denom).mul(-gradStep));
            }
            FloatKernels.store(p.add(m.div(denom).mul(-avgStep)), s[0], o[0] + b);
        }
    }

    private static void adamDouble(AdamUpdate u, MemorySegment[] s, long[] o, int n) {
        boolean amsgrad = s.length == 5;
        double w = 1 - u.beta1();
        for (int i = 0; i < n; i++) {
            double p = get(s, o, 0, i);
            double g = get(s, o, 1, i);
            if (u.weightDecay() != 0) {
                g = g + p * u.weightDecay();
            }
            if (u.paramScale() != 1) {
                p = p * u.paramScale();
            }
            double m = get(s, o, 2, i);
            m = w < 0.5 ? m + (g - m) * w : g - (g - m) * (1 - w);
            double v = get(s, o, 3, i) * u.beta2() + g * (1 - u.beta2()) * g;
            set(s, o, 2, i, m);
            set(s, o, 3, i, v);
            if (amsgrad) {
                v = Math.max(get(s, o, 4, i), v);
                set(s, o, 4, i, v);
            }
            double denom = Math.sqrt(v) / u.biasCorrection2Sqrt() + u.eps();
            if (u.gradStep() != 0) {
                p = p + g / denom * -u.gradStep();
            }
            set(s, o, 0, i, p + m / denom * -u.avgStep());
        }
    }

    private static double get(MemorySegment[] s, long[] o, int k, int i) {
        return s[k].get(ValueLayout.JAVA_DOUBLE, o[k] + 8L * i);
    }

    private static void set(MemorySegment[] s, long[] o, int k, int i, double v) {
        s[k].set(ValueLayout.JAVA_DOUBLE, o[k] + 8L * i, v);
    }
}
