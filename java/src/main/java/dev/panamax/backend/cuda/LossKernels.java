package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;

/** The negative log-likelihood of class targets, forward and backward (native/src/loss.cu). */
final class LossKernels {
    private final CudaContext ctx;

    LossKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    /** Strides of a [N, C, d...] operand without the class dim: its walk over the targets [N, d...]. */
    private static long[] withoutClassDim(long[] strides) {
        long[] r = new long[strides.length - 1];
        r[0] = strides[0];
        System.arraycopy(strides, 2, r, 1, strides.length - 2);
        return r;
    }

    private static KernelArgs classWeight(KernelArgs args, Operand weight) {
        return args.operand(weight).i64(weight == null ? 0 : weight.strides()[0]);
    }

    void nllLoss(Operand logProbs, Operand target, Operand weight, long ignoreIndex, Operand losses, Operand weights) {
        long n = target.numel();
        if (n == 0) {
            return;
        }
        long[] none = new long[target.rank()];
        KernelLayout layout = KernelLayout.merged(target.shape(), target.strides(), withoutClassDim(logProbs.strides()), losses.strides(),
                weights == null ? none : weights.strides());
        KernelArgs args = KernelArgs.begin().operand(logProbs).i64(logProbs.strides()[1]).operand(target);
        ctx.launch("pmx_nll_loss", ctx.blocksFor(n), classWeight(args, weight).i64(ignoreIndex).operand(losses).operand(weights)
                .layout(layout).i64(n));
    }

    void nllLossBackward(Operand gradLosses, Operand target, Operand weight, long ignoreIndex, Operand gradLogProbs) {
        ctx.memset(CudaStorage.address(gradLogProbs), gradLogProbs.numel() * gradLogProbs.dtype().byteSize());
        long n = target.numel();
        if (n == 0) {
            return;
        }
        KernelLayout layout = KernelLayout.merged(target.shape(), target.strides(), gradLosses.strides(), withoutClassDim(gradLogProbs.strides()));
        KernelArgs args = KernelArgs.begin().operand(gradLosses).operand(target);
        ctx.launch("pmx_nll_loss_backward", ctx.blocksFor(n), classWeight(args, weight).i64(ignoreIndex).operand(gradLogProbs)
                .i64(gradLogProbs.strides()[1]).layout(layout).i64(n));
    }
}
