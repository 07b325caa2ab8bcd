package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;

/**
 * indexSelect, gather (bit copies), indexAdd and scatterAdd (native/src/index.cu). The adds are
 * atomic, or, under {@link CudaOptions#deterministic()}, computed by the owner of each target
 * element in the CPU's order. Layouts keep every dim, since the kernels find the position along
 * {@code dim} by its index.
 */
final class IndexKernels {
    private final CudaContext ctx;

    IndexKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    private static long[] withZero(long[] strides, int dim) {
        long[] s = strides.clone();
        s[dim] = 0;
        return s;
    }

    void indexSelect(Operand x, int dim, Operand index, Operand out) {
        long n = out.numel();
        if (n == 0) {
            return;
        }
        KernelLayout layout = KernelLayout.of(out.shape(), out.strides(), withZero(x.strides(), dim));
        ctx.launch("pmx_index_select", ctx.blocksFor(n), KernelArgs.begin().ptr(x).ptr(out).operand(index).i64(index.strides()[0])
                .layout(layout).i64(n).i32(dim).i64(x.strides()[dim]).i32(x.dtype().byteSize()));
    }

    void indexAdd(Operand target, int dim, Operand index, Operand src) {
        if (src.numel() == 0 || target.numel() == 0) {
            return;
        }
        if (CudaOptions.deterministic()) {
            KernelLayout layout = KernelLayout.of(target.shape(), target.strides(), withZero(src.strides(), dim));
            ctx.launch("pmx_index_add_ordered", ctx.blocksFor(target.numel()), KernelArgs.begin().operand(target).operand(src).operand(index)
                    .i64(index.strides()[0]).i64(index.shape()[0]).layout(layout).i64(target.numel()).i32(dim).i64(src.strides()[dim]));
        } else {
            KernelLayout layout = KernelLayout.of(src.shape(), src.strides(), withZero(target.strides(), dim));
            ctx.launch("pmx_index_add_atomic", ctx.blocksFor(src.numel()), KernelArgs.begin().operand(target).operand(src).operand(index)
                    .i64(index.strides()[0]).layout(layout).i64(src.numel()).i32(dim).i64(target.strides()[dim]));
        }
    }

    void gather(Operand x, int dim, Operand index, Operand out) {
        long n = index.numel();
        if (n == 0) {
            return;
        }
        KernelLayout layout = KernelLayout.of(index.shape(), index.strides(), out.strides(), withZero(x.strides(), dim));
        ctx.launch("pmx_gather", ctx.blocksFor(n), KernelArgs.begin().ptr(x).ptr(out).operand(index).layout(layout).i64(n)
                .i64(x.strides()[dim]).i32(x.dtype().byteSize()));
    }

    void scatterAdd(Operand target, int dim, Operand index, Operand src) {
        if (index.numel() == 0) {
            return;
        }
        if (CudaOptions.deterministic()) {
            // one thread per target element the index can reach: the index's extent, dim stretched to the target's
            long[] shape = index.shape().clone();
            shape[dim] = target.shape()[dim];
            long n = java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            KernelLayout layout = KernelLayout.of(shape, target.strides(), withZero(index.strides(), dim), withZero(src.strides(), dim));
            ctx.launch("pmx_scatter_add_ordered", ctx.blocksFor(n), KernelArgs.begin().operand(target).operand(src).operand(index)
                    .layout(layout).i64(n).i32(dim).i64(index.shape()[dim]).i64(index.strides()[dim]).i64(src.strides()[dim]));
        } else {
            KernelLayout layout = KernelLayout.of(index.shape(), index.strides(), src.strides(), withZero(target.strides(), dim));
            ctx.launch("pmx_scatter_add_atomic", ctx.blocksFor(index.numel()), KernelArgs.begin().operand(target).operand(src).operand(index)
                    .layout(layout).i64(index.numel()).i64(target.strides()[dim]));
        }
    }
}
