package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import java.lang.foreign.MemorySegment;

/**
 * Negative log-likelihood of integer class targets, forward and backward: one gather (or
 * scatter) of a log-probability per target, in one pass over the targets split over
 * {@link Parallel}. Every target reads and writes only its own elements, so the results do not
 * depend on the thread count. There is nothing to vectorise in a gather; the gradient's zero
 * fill is the vectorised {@link CpuBackend#fill}.
 */
final class LossKernels {
    private static final long GRAIN = 16_384;

    private LossKernels() {}

    static void nllLoss(Operand logProbs, Operand target, Operand weight, long ignoreIndex, Operand losses, Operand weights) {
        MemorySegment ps = CpuBackend.segment(logProbs);
        MemorySegment ts = CpuBackend.segment(target);
        MemorySegment ls = CpuBackend.segment(losses);
        MemorySegment ws = weights == null ? null : CpuBackend.segment(weights);
        long classStride = logProbs.strides()[1];
        long[][] walk = {target.strides(), withoutClassDim(logProbs.strides()), losses.strides(),
            weights == null ? new long[target.shape().length] : weights.strides()};
        long[] bases = {target.offset(), logProbs.offset(), losses.offset(), weights == null ? 0 : weights.offset()};
        ClassWeights w = new ClassWeights(weight);
        Parallel.forRange(target.numel(), GRAIN, (from, to) -> {
            Odometer it = new Odometer(target.shape(), walk, bases, from);
            for (long i = from; i < to; i++) {
                long t = Elements.readLong(ts, target.dtype(), it.offset(0));
                double wt = t == ignoreIndex ? 0 : w.of(t);
                double loss = t == ignoreIndex ? 0 : -wt * Elements.read(ps, logProbs.dtype(), it.offset(1) + t * classStride);
                Elements.write(ls, losses.dtype(), it.offset(2), loss);
                if (ws != null) {
                    Elements.write(ws, weights.dtype(), it.offset(3), wt);
                }
                it.next();
            }
        });
    }

    static void nllLossBackward(Operand gradLosses, Operand target, Operand weight, long ignoreIndex, Operand gradLogProbs) {
        CpuBackend.instance().fill(gradLogProbs, 0);
        MemorySegment gs = CpuBackend.segment(gradLosses);
        MemorySegment ts = CpuBackend.segment(target);
        MemorySegment xs = CpuBackend.segment(gradLogProbs);
        long classStride = gradLogProbs.strides()[1];
        long[][] walk = {target.strides(), gradLosses.strides(), withoutClassDim(gradLogProbs.strides())};
        long[] bases = {target.offset(), gradLosses.offset(), gradLogProbs.offset()};
        ClassWeights w = new ClassWeights(weight);
        Parallel.forRange(target.numel(), GRAIN, (from, to) -> {
            Odometer it = new Odometer(target.shape(), walk, bases, from);
            for (long i = from; i < to; i++) {
                long t = Elements.readLong(ts, target.dtype(), it.offset(0));
                if (t != ignoreIndex) {
                    double g = Elements.read(gs, gradLosses.dtype(), it.offset(1));
                    Elements.write(xs, gradLogProbs.dtype(), it.offset(2) + t * classStride, -w.of(t) * g);
                }
                it.next();
            }
        });
    }

    /** Strides of a [N, C, d...] operand without the class dim: its walk over the targets [N, d...]. */
    private static long[] withoutClassDim(long[] strides) {
        long[] r = new long[strides.length - 1];
        r[0] = strides[0];
        System.arraycopy(strides, 2, r, 1, strides.length - 2);
        return r;
    }

    /** The weight of a class: weight[t], or 1 without a weight tensor. */
    private record ClassWeights(Operand weight, MemorySegment segment) {
        ClassWeights(Operand weight) {
            this(weight, weight == null ? null : CpuBackend.segment(weight));
        }

        double of(long t) {
            return weight == null ? 1 : Elements.read(segment, weight.dtype(), weight.offset() + t * weight.strides()[0]);
        }
    }
}
