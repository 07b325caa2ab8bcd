package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import dev.panamax.backend.ReduceDims;
import dev.panamax.backend.ReduceOp;
import java.util.Arrays;

/** Reductions, arg-max/min and softmax (native/src/reduce.cu, softmax.cu). */
final class ReduceKernels {
    /** Reduced elements a block takes per chunk before chunks are split off for more parallelism. */
    private static final long CHUNK = 4096;

    private final CudaContext ctx;
    private final int multiprocessors;

    ReduceKernels(CudaContext ctx, int multiprocessors) {
        this.ctx = ctx;
        this.multiprocessors = multiprocessors;
    }

    /**
     * One block per (output, chunk) when the reduced elements of an output are dense (coalesced
     * along a row) or the outputs too few to fill the GPU; else one thread per output (coalesced
     * across neighbouring outputs, as for a column sum).
     */
    void reduce(ReduceOp op, Operand x, int[] dims, Operand out, ElementwiseKernels elementwise) {
        ReduceDims split = ReduceDims.split(x, dims, out);
        long outputs = out.numel();
        long perOutput = split.perOutput();
        if (perOutput == 0 || outputs == 0) {
            elementwise.fill(out, op.identity());
            return;
        }
        KernelLayout kept = KernelLayout.merged(split.keptShape(), split.keptX(), split.keptOut());
        KernelLayout red = KernelLayout.merged(split.redShape(), split.redX());
        String acc = x.dtype().isIntegral() && out.dtype().isIntegral() ? "_i" : "_f";
        long[] innerStride = red.strides(0);
        boolean denseRuns = innerStride.length > 0 && innerStride[innerStride.length - 1] == 1;
        long fill = 16L * multiprocessors * 32;
        if (perOutput < 32 || (!denseRuns && outputs >= fill)) {
            ctx.launch("pmx_reduce_threads" + acc, ctx.blocksFor(outputs), KernelArgs.begin().i32(op.ordinal()).operand(x).operand(out)
                    .layout(kept).i64(outputs).layout(red).i64(perOutput));
            return;
        }
        long wantBlocks = 4L * multiprocessors;
        int chunks = (int) Math.max(1, Math.min((perOutput + CHUNK - 1) / CHUNK, wantBlocks / outputs));
        long chunkLen = (perOutput + chunks - 1) / chunks;
        try (CudaContext.Scratch partial = ctx.scratch(chunks == 1 ? 0 : 8 * outputs * chunks)) {
            ctx.launch("pmx_reduce_blocks" + acc, ctx.blocksForRows(outputs * chunks), KernelArgs.begin().i32(op.ordinal()).operand(x)
                    .operand(out).layout(kept).i64(outputs).layout(red).i64(perOutput).i64(chunkLen).i32(chunks).ptr(partial.address()));
            if (chunks > 1) {
                ctx.launch("pmx_reduce_partials" + acc, ctx.blocksFor(outputs), KernelArgs.begin().i32(op.ordinal())
                        .ptr(partial.address()).i32(chunks).operand(out).layout(kept).i64(outputs));
            }
        }
    }

    void argReduce(ReduceOp op, Operand x, int dim, Operand values, Operand indices) {
        long outputs = values.numel();
        if (outputs == 0) {
            return;
        }
        KernelLayout layout = KernelLayout.merged(values.shape(), x.strides(), values.strides(), indices.strides());
        ctx.launch("pmx_argreduce", ctx.blocksFor(outputs), KernelArgs.begin().i32(op.ordinal()).operand(x).operand(values).ptr(indices)
                .layout(layout).i64(outputs).i64(x.shape()[dim]).i64(x.strides()[dim]).i32(x.dtype().isIntegral() ? 1 : 0));
    }

    /** The rows along dim: shape with dim of size 1, for operands {@code ops}. */
    private static KernelLayout rows(int dim, Operand... ops) {
        long[] shape = ops[0].shape().clone();
        shape[dim] = 1;
        return KernelLayout.merged(shape, Arrays.stream(ops).map(Operand::strides).toArray(long[][]::new));
    }

    void softmax(Operand x, int dim, boolean log, Operand out) {
        long n = x.shape()[dim];
        long rowCount = n == 0 ? 0 : x.numel() / n;
        if (rowCount == 0) {
            return;
        }
        ctx.launch("pmx_softmax" + ElementwiseKernels.suffix(x, out), ctx.blocksForRows(rowCount), KernelArgs.begin().operand(x).operand(out)
                .layout(rows(dim, x, out)).i64(rowCount).i64(n).i64(x.strides()[dim]).i64(out.strides()[dim]).i32(log ? 1 : 0));
    }

    void softmaxBackward(Operand y, Operand gradOut, int dim, boolean log, Operand gradIn) {
        long n = y.shape()[dim];
        long rowCount = n == 0 ? 0 : y.numel() / n;
        if (rowCount == 0) {
            return;
        }
        ctx.launch("pmx_softmax_backward", ctx.blocksForRows(rowCount), KernelArgs.begin().operand(y).operand(gradOut).operand(gradIn)
                .layout(rows(dim, y, gradOut, gradIn)).i64(rowCount).i64(n).i64(y.strides()[dim]).i64(gradOut.strides()[dim])
                .i64(gradIn.strides()[dim]).i32(log ? 1 : 0));
    }
}
