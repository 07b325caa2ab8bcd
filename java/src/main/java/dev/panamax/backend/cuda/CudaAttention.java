package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Storage;
import dev.panamax.tensor.DType;

/**
 * {@link dev.panamax.backend.Backend#attention} on the GPU as batched cuBLAS products around the
 * row kernels of native/src/attention.cu. The [B, L, S] scores live only for the call (the
 * issue's minimum; a fused tile kernel that never stores them is the next step). Backward
 * recomputes the probabilities from the saved log-sum-exp instead of keeping them.
 */
final class CudaAttention {
    private final CudaContext ctx;
    private final BlasMatMul blas;
    private final CudaBackend backend;

    CudaAttention(CudaContext ctx, BlasMatMul blas, CudaBackend backend) {
        this.ctx = ctx;
        this.blas = blas;
        this.backend = backend;
    }

    void forward(Operand q, Operand k, Operand v, double scale, boolean causal, Operand out, Operand logSumExp) {
        long batch = q.shape()[0];
        long queries = q.shape()[1];
        long keys = k.shape()[1];
        Storage scores = backend.allocate(DType.FLOAT32, batch * queries * keys);
        try {
            Operand s = dense(scores, batch, queries, keys);
            blas.matmul(q, transposed(k), s, backend);
            long rows = batch * queries;
            if (rows > 0) {
                ctx.launch("pmx_attention_softmax", ctx.blocksForRows(rows), KernelArgs.begin().ptr(s).ptr(logSumExp)
                        .i64(rows).i64(queries).i64(keys).f32((float) scale).i32(causal ? 1 : 0));
            }
            blas.matmul(s, v, out, backend);
        } finally {
            scores.release();
        }
    }

    void backward(Operand q, Operand k, Operand v, Operand out, Operand logSumExp, Operand gradOut, double scale, boolean causal,
                  Operand gradQ, Operand gradK, Operand gradV) {
        long batch = q.shape()[0];
        long queries = q.shape()[1];
        long keys = k.shape()[1];
        long rows = batch * queries;
        Storage probs = backend.allocate(DType.FLOAT32, rows * keys);
        Storage grads = backend.allocate(DType.FLOAT32, rows * keys);
        try {
            Operand p = dense(probs, batch, queries, keys);
            Operand g = dense(grads, batch, queries, keys);
            blas.matmul(q, transposed(k), p, backend);
            if (rows > 0) {
                ctx.launch("pmx_attention_probs", ctx.blocksForRows(rows), KernelArgs.begin().ptr(p).ptr(logSumExp)
                        .i64(rows).i64(queries).i64(keys).f32((float) scale).i32(causal ? 1 : 0));
            }
            blas.matmul(transposed(p), gradOut, gradV, backend);
            blas.matmul(gradOut, transposed(v), g, backend);
            if (rows > 0) {
                ctx.launch("pmx_attention_grad_scores", ctx.blocksForRows(rows), KernelArgs.begin().ptr(p).ptr(g).ptr(out).ptr(gradOut)
                        .i64(rows).i64(keys).i64(v.shape()[2]).f32((float) scale));
            }
            blas.matmul(g, k, gradQ, backend);
            blas.matmul(transposed(g), q, gradK, backend);
        } finally {
            probs.release();
            grads.release();
        }
    }

    private static Operand dense(Storage s, long batch, long rows, long cols) {
        return new Operand(s, DType.FLOAT32, new long[] {batch, rows, cols}, new long[] {rows * cols, cols, 1}, 0);
    }

    /** [B, N, D] seen as [B, D, N] (no copy: cuBLAS reads it transposed). */
    private static Operand transposed(Operand x) {
        long[] s = x.shape();
        long[] st = x.strides();
        return x.withLayout(new long[] {s[0], s[2], s[1]}, new long[] {st[0], st[2], st[1]}, x.offset());
    }
}
