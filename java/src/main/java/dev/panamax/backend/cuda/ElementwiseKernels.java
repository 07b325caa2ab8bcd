package dev.panamax.backend.cuda;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Operand;
import dev.panamax.backend.RandomKind;
import dev.panamax.backend.UnaryOp;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import java.lang.foreign.MemorySegment;

/**
 * Transfers, fills, conversions and the elementwise functions (native/src/elementwise.cu and
 * random.cu). The compute type follows the CPU backend: float when every operand is float32,
 * else double.
 */
final class ElementwiseKernels {
    private final CudaContext ctx;

    ElementwiseKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    /** "_f32" when every operand is float32, else "_f64". */
    static String suffix(Operand... ops) {
        for (Operand op : ops) {
            if (op.dtype() != DType.FLOAT32) {
                return "_f64";
            }
        }
        return "_f32";
    }

    private static long bytes(Operand op) {
        return op.numel() * op.dtype().byteSize();
    }

    void write(MemorySegment host, Operand dst) {
        ctx.upload(host.asSlice(0, bytes(dst)), CudaStorage.address(dst));
    }

    void read(Operand src, MemorySegment host, CudaBackend backend) {
        if (src.numel() == 0) {
            return;
        }
        if (src.isContiguous()) {
            ctx.download(CudaStorage.address(src), host.asSlice(0, bytes(src)));
            return;
        }
        var tmp = backend.allocate(src.dtype(), src.numel());
        try {
            Operand dense = new Operand(tmp, src.dtype(), src.shape(), Shape.of(src.shape()).contiguousStrides(), 0);
            copy(src, dense);
            ctx.download(CudaStorage.address(dense), host.asSlice(0, bytes(src)));
        } finally {
            tmp.release();
        }
    }

    /** Same dtype: bits (a memcpy when both are dense); else a conversion in the compute type. */
    void copy(Operand src, Operand dst) {
        long n = dst.numel();
        if (n == 0) {
            return;
        }
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            ctx.copyDeviceToDevice(CudaStorage.address(dst), CudaStorage.address(src), bytes(dst));
            return;
        }
        KernelLayout layout = KernelLayout.merged(dst.shape(), src.strides(), dst.strides());
        if (src.dtype() == dst.dtype()) {
            ctx.launch("pmx_copy_bits", ctx.blocksFor(n), KernelArgs.begin().ptr(src).ptr(dst).layout(layout).i64(n).i32(dst.dtype().byteSize()));
            return;
        }
        String type = src.dtype() == DType.FLOAT32 || dst.dtype() == DType.FLOAT32 ? "_f32" : "_f64";
        ctx.launch("pmx_convert" + type, ctx.blocksFor(n), KernelArgs.begin().operand(src).operand(dst).layout(layout).i64(n));
    }

    void fill(Operand dst, double value) {
        if (!dst.dtype().isFloatingPoint() && !(Math.abs(value) < 0x1p53)) {
            throw new IllegalArgumentException("fill: " + value + " is not exactly representable in " + dst.dtype().pyName());
        }
        long n = dst.numel();
        if (n == 0) {
            return;
        }
        if (Double.doubleToRawLongBits(value) == 0 && dst.isContiguous()) {
            ctx.memset(CudaStorage.address(dst), bytes(dst)); // +0 is all zero bits in every dtype
            return;
        }
        KernelLayout layout = KernelLayout.merged(dst.shape(), dst.strides());
        ctx.launch("pmx_fill", ctx.blocksFor(n), KernelArgs.begin().operand(dst).layout(layout).i64(n).f64(value));
    }

    void arange(Operand dst, double start, double step) {
        long n = dst.numel();
        if (n > 0) {
            ctx.launch("pmx_arange", ctx.blocksFor(n), KernelArgs.begin().operand(dst).i64(n).f64(start).f64(step));
        }
    }

    void random(Operand dst, RandomKind kind, long seed, long offset, double p0, double p1) {
        long n = dst.numel();
        if (n > 0) {
            ctx.launch("pmx_random", ctx.blocksFor(n),
                    KernelArgs.begin().operand(dst).i64(n).i32(kind.ordinal()).i64(seed).i64(offset).f64(p0).f64(p1));
        }
    }

    void unary(UnaryOp op, Operand x, Operand out, double p0, double p1) {
        long n = out.numel();
        if (n == 0) {
            return;
        }
        String type = suffix(x, out);
        if (type.equals("_f32") && x.isContiguous() && out.isContiguous()) {
            ctx.launch("pmx_unary_dense_f32", ctx.blocksForDense(n),
                    KernelArgs.begin().i32(op.ordinal()).ptr(x).ptr(out).i64(n).f32((float) p0).f32((float) p1));
            return;
        }
        KernelLayout layout = KernelLayout.merged(out.shape(), x.strides(), out.strides());
        ctx.launch("pmx_unary" + type, ctx.blocksFor(n),
                KernelArgs.begin().i32(op.ordinal()).operand(x).operand(out).layout(layout).i64(n).f64(p0).f64(p1));
    }

    void unaryBackward(UnaryOp op, Operand x, Operand y, Operand gradOut, Operand gradIn, double p0, double p1) {
        long n = gradIn.numel();
        if (n == 0) {
            return;
        }
        KernelLayout layout = KernelLayout.merged(gradIn.shape(), x.strides(), y.strides(), gradOut.strides(), gradIn.strides());
        ctx.launch("pmx_unary_backward" + suffix(x, y, gradOut, gradIn), ctx.blocksFor(n), KernelArgs.begin().i32(op.ordinal())
                .operand(x).operand(y).operand(gradOut).operand(gradIn).layout(layout).i64(n).f64(p0).f64(p1));
    }

    void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        long n = out.numel();
        if (n == 0) {
            return;
        }
        boolean floats = a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32
                && (out.dtype() == DType.FLOAT32 || (op.isComparison() && out.dtype() == DType.BOOL));
        if (floats && out.dtype() == DType.FLOAT32 && a.isContiguous() && b.isContiguous() && out.isContiguous()) {
            ctx.launch("pmx_binary_dense_f32", ctx.blocksForDense(n), KernelArgs.begin().i32(op.ordinal()).ptr(a).ptr(b).ptr(out).i64(n));
            return;
        }
        KernelLayout layout = KernelLayout.merged(out.shape(), a.strides(), b.strides(), out.strides());
        ctx.launch("pmx_binary" + (floats ? "_f32" : "_f64"), ctx.blocksFor(n),
                KernelArgs.begin().i32(op.ordinal()).operand(a).operand(b).operand(out).layout(layout).i64(n));
    }

    void where(Operand cond, Operand a, Operand b, Operand out) {
        long n = out.numel();
        if (n == 0) {
            return;
        }
        KernelLayout layout = KernelLayout.merged(out.shape(), cond.strides(), a.strides(), b.strides(), out.strides());
        ctx.launch("pmx_where" + suffix(a, b, out), ctx.blocksFor(n),
                KernelArgs.begin().operand(cond).operand(a).operand(b).operand(out).layout(layout).i64(n));
    }
}
