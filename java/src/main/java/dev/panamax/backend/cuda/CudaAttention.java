package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Storage;
import dev.panamax.tensor.DType;

/**
 * {@link dev.panamax.backend.Backend#attention} on the GPU with the fused kernels of
 * native/src/attention.cu (FlashAttention-2's order): the forward walks key tiles with an online
 * softmax and keeps one log-sum-exp per query; the backward recomputes the probabilities tile by
 * tile, once per key block for dK and dV and once per query block for dQ, so no pass stores the
 * [B, L, S] scores and memory stays linear in the sequence length.
 */
final class CudaAttention {
    private final CudaContext ctx;
    private final CudaBackend backend;

    CudaAttention(CudaContext ctx, CudaBackend backend) {
        this.ctx = ctx;
        this.backend = backend;
    }

    void forward(Operand q, Operand k, Operand v, double scale, boolean causal, Operand out, Operand logSumExp) {
        Shapes s = new Shapes(q, k, v);
        FlashPlan plan = FlashPlan.of(s.keySize, s.valueSize);
        if (s.batch * s.queries == 0) {
            return;
        }
        ctx.launch("pmx_flash_attention", plan.blocks(s.batch, s.queries), plan.sharedBytes(0), KernelArgs.begin().ptr(q).ptr(k)
                .ptr(v).ptr(out).ptr(logSumExp).i64(s.queries).i64(s.keys).i32(s.keySize).i32(s.valueSize).i32(plan.lanesPerRow())
                .i32(plan.tile()).f32((float) scale).i32(causal ? 1 : 0));
    }

    void backward(Operand q, Operand k, Operand v, Operand out, Operand logSumExp, Operand gradOut, double scale, boolean causal,
                  Operand gradQ, Operand gradK, Operand gradV) {
        Shapes s = new Shapes(q, k, v);
        FlashPlan plan = FlashPlan.of(s.keySize, s.valueSize);
        long rows = s.batch * s.queries;
        Storage storage = backend.allocate(DType.FLOAT32, rows);
        try {
            // delta [rows] = Σ gradOut ∘ out, each row's term of the softmax backward
            Operand delta = new Operand(storage, DType.FLOAT32, new long[] {rows}, new long[] {1}, 0);
            if (rows > 0) {
                ctx.launch("pmx_flash_attention_delta", ctx.blocksFor(rows * 32), KernelArgs.begin().ptr(out).ptr(gradOut)
                        .ptr(delta).i64(rows).i32(s.valueSize));
                ctx.launch("pmx_flash_attention_grad_q", plan.blocks(s.batch, s.queries), plan.sharedBytes(0), common(KernelArgs.begin()
                        .ptr(q).ptr(k).ptr(v).ptr(gradOut).ptr(logSumExp).ptr(delta).ptr(gradQ), s, plan, scale, causal));
            }
            if (s.batch * s.keys > 0) {
                ctx.launch("pmx_flash_attention_grad_kv", plan.blocks(s.batch, s.keys), plan.sharedBytes(2), common(KernelArgs.begin()
                        .ptr(q).ptr(k).ptr(v).ptr(gradOut).ptr(logSumExp).ptr(delta).ptr(gradK).ptr(gradV), s, plan, scale,
                        causal));
            }
        } finally {
            storage.release();
        }
    }

    private static KernelArgs common(KernelArgs args, Shapes s, FlashPlan plan, double scale, boolean causal) {
        return args.i64(s.queries).i64(s.keys).i32(s.keySize).i32(s.valueSize).i32(plan.lanesPerRow()).i32(plan.tile())
                .f32((float) scale).i32(causal ? 1 : 0);
    }

    /** The sizes of q [B, L, E], k [B, S, E] and v [B, S, Ev]. */
    private record Shapes(long batch, long queries, long keys, int keySize, int valueSize) {
        Shapes(Operand q, Operand k, Operand v) {
            this(q.shape()[0], q.shape()[1], k.shape()[1], Math.toIntExact(q.shape()[2]), Math.toIntExact(v.shape()[2]));
        }
    }
}
