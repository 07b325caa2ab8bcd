package dev.panamax.backend.cpu;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Operand;
import java.lang.foreign.MemorySegment;

/**
 * Indexing kernels. Indices were range-checked by the op; the kernels still go through
 * bounds-checked segments, so a wrong index can never touch memory outside a tensor.
 */
final class IndexKernels {
    private IndexKernels() {}

    /** The slice of {@code op} at position {@code i} along {@code dim} (size 1 kept). */
    static Operand slice(Operand op, int dim, long i) {
        long[] shape = op.shape().clone();
        shape[dim] = 1;
        return op.withLayout(shape, op.strides(), op.offset() + i * op.strides()[dim]);
    }

    private static long index(Operand index, long j) {
        return Elements.readLong(CpuBackend.segment(index), index.dtype(), index.offset() + j * index.strides()[0]);
    }

    static void indexSelect(Operand x, int dim, Operand index, Operand out) {
        long n = index.shape()[0];
        CpuBackend backend = CpuBackend.instance();
        for (long j = 0; j < n; j++) {
            backend.copy(slice(x, dim, index(index, j)), slice(out, dim, j));
        }
    }

    /** Sequential over j, so repeated indices accumulate without races. */
    static void indexAdd(Operand target, int dim, Operand index, Operand src) {
        long n = index.shape()[0];
        CpuBackend backend = CpuBackend.instance();
        for (long j = 0; j < n; j++) {
            Operand t = slice(target, dim, index(index, j));
            backend.binary(BinaryOp.ADD, t, slice(src, dim, j), t);
        }
    }

    static void gather(Operand x, int dim, Operand index, Operand out) {
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment is = CpuBackend.segment(index);
        MemorySegment os = CpuBackend.segment(out);
        long[][] strides = {index.strides(), out.strides(), x.strides()};
        long step = x.strides()[dim];
        int size = x.dtype().byteSize();
        long n = index.numel();
        Parallel.forRange(n, 16_384, (from, to) -> {
            // x's stride along dim is replaced by the index value, so walk it with stride 0 there
            long[][] walk = {strides[0], strides[1], withZero(strides[2], dim)};
            Odometer it = new Odometer(index.shape(), walk, new long[] {index.offset(), out.offset(), x.offset()}, from);
            for (long e = from; e < to; e++) {
                long i = Elements.readLong(is, index.dtype(), it.offset(0));
                Elements.copyBits(xs, it.offset(2) + i * step, os, it.offset(1), size);
                it.next();
            }
        });
    }

    /** Sequential: several source elements may land on one target element. */
    static void scatterAdd(Operand target, int dim, Operand index, Operand src) {
        if (index.numel() == 0) {
            return; // nothing to add, and an Odometer over an empty shape would divide by its zero size
        }
        MemorySegment ts = CpuBackend.segment(target);
        MemorySegment is = CpuBackend.segment(index);
        MemorySegment ss = CpuBackend.segment(src);
        long[][] walk = {index.strides(), src.strides(), withZero(target.strides(), dim)};
        long step = target.strides()[dim];
        Odometer it = new Odometer(index.shape(), walk, new long[] {index.offset(), src.offset(), target.offset()}, 0);
        for (long e = index.numel(); e > 0; e--) {
            long t = it.offset(2) + Elements.readLong(is, index.dtype(), it.offset(0)) * step;
            double v = Elements.read(ts, target.dtype(), t) + Elements.read(ss, src.dtype(), it.offset(1));
            Elements.write(ts, target.dtype(), t, v);
            it.next();
        }
    }

    private static long[] withZero(long[] strides, int dim) {
        long[] s = strides.clone();
        s[dim] = 0;
        return s;
    }
}
