package dev.panamax.backend.cuda;

import dev.panamax.backend.AdamUpdate;
import dev.panamax.backend.Operand;
import dev.panamax.backend.SgdUpdate;
import java.lang.foreign.ValueLayout;

/** Fused SGD and Adam-family steps over contiguous operands (native/src/optim.cu). */
final class OptimizerKernels {
    /** optim.cu's SgdParams: four doubles and two ints. */
    private static final long SGD_BYTES = 4 * 8 + 2 * 4;
    /** optim.cu's AdamParams: eight doubles. */
    private static final long ADAM_BYTES = 8 * 8;

    private final CudaContext ctx;

    OptimizerKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    void sgd(Operand param, Operand grad, Operand momentumBuffer, SgdUpdate u) {
        long n = param.numel();
        if (n == 0) {
            return;
        }
        ctx.launch("pmx_sgd" + ElementwiseKernels.suffix(param), ctx.blocksFor(n), KernelArgs.begin().ptr(param).ptr(grad).ptr(momentumBuffer)
                .i64(n).struct(SGD_BYTES, s -> {
                    s.set(ValueLayout.JAVA_DOUBLE, 0, u.lr());
                    s.set(ValueLayout.JAVA_DOUBLE, 8, u.weightDecay());
                    s.set(ValueLayout.JAVA_DOUBLE, 16, u.momentum());
                    s.set(ValueLayout.JAVA_DOUBLE, 24, u.dampening());
                    s.set(ValueLayout.JAVA_INT, 32, u.nesterov() ? 1 : 0);
                    s.set(ValueLayout.JAVA_INT, 36, u.firstStep() ? 1 : 0);
                }));
    }

    void adam(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, Operand maxExpAvgSq, AdamUpdate u) {
        long n = param.numel();
        if (n == 0) {
            return;
        }
        double[] values = {u.paramScale(), u.weightDecay(), u.beta1(), u.beta2(), u.biasCorrection2Sqrt(), u.eps(), u.gradStep(), u.avgStep()};
        ctx.launch("pmx_adam" + ElementwiseKernels.suffix(param), ctx.blocksFor(n), KernelArgs.begin().ptr(param).ptr(grad).ptr(expAvg)
                .ptr(expAvgSq).ptr(maxExpAvgSq).i64(n).struct(ADAM_BYTES, s -> {
                    for (int i = 0; i < values.length; i++) {
                        s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, values[i]);
                    }
                }));
    }
}
