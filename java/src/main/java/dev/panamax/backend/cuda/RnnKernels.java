package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;

/** The pointwise part of LSTM and GRU steps, forward and backward, over contiguous rows (native/src/rnn.cu). */
final class RnnKernels {
    private final CudaContext ctx;

    RnnKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    void lstmCell(Operand gates, Operand c, Operand h, Operand cNew, Operand act, Operand tanhC) {
        long n = c.numel();
        if (n == 0) {
            return;
        }
        ctx.launch("pmx_lstm_cell" + ElementwiseKernels.suffix(gates), ctx.blocksFor(n), KernelArgs.begin().ptr(gates).ptr(c).ptr(h)
                .ptr(cNew).ptr(act).ptr(tanhC).i64(c.shape()[0]).i64(c.shape()[1]));
    }

    void lstmCellBackward(Operand act, Operand c, Operand tanhC, Operand gradH, Operand gradC, Operand gradGates, Operand gradCPrev) {
        long n = c.numel();
        if (n == 0 || (gradGates == null && gradCPrev == null)) {
            return;
        }
        ctx.launch("pmx_lstm_cell_backward" + ElementwiseKernels.suffix(act), ctx.blocksFor(n), KernelArgs.begin().ptr(act).ptr(c)
                .ptr(tanhC).ptr(gradH).ptr(gradC).ptr(gradGates).ptr(gradCPrev).i64(c.shape()[0]).i64(c.shape()[1]));
    }

    void gruCell(Operand xw, Operand hw, Operand h, Operand hNew, Operand act) {
        long n = h.numel();
        if (n == 0) {
            return;
        }
        ctx.launch("pmx_gru_cell" + ElementwiseKernels.suffix(xw), ctx.blocksFor(n), KernelArgs.begin().ptr(xw).ptr(hw).ptr(h).ptr(hNew)
                .ptr(act).i64(h.shape()[0]).i64(h.shape()[1]));
    }

    void gruCellBackward(Operand act, Operand hw, Operand h, Operand gradHNew, Operand gradXw, Operand gradHw, Operand gradH) {
        long n = h.numel();
        if (n == 0 || (gradXw == null && gradHw == null && gradH == null)) {
            return;
        }
        ctx.launch("pmx_gru_cell_backward" + ElementwiseKernels.suffix(act), ctx.blocksFor(n), KernelArgs.begin().ptr(act).ptr(hw)
                .ptr(h).ptr(gradHNew).ptr(gradXw).ptr(gradHw).ptr(gradH).i64(h.shape()[0]).i64(h.shape()[1]));
    }
}
