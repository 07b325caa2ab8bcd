package dev.panamax.backend.cuda;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Conv2dSpec;
import dev.panamax.backend.Operand;
import dev.panamax.backend.Storage;
import dev.panamax.bindings.cudnn.Cudnn;
import dev.panamax.bindings.cudnn.cudnnConvolutionFwdAlgoPerfStruct;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * conv2d and its two gradients on cuDNN's convolution calls. The algorithm of each distinct
 * problem (pass, shapes, strides, dtype, geometry, TF32 and determinism settings) is chosen once
 * by cudnnFind*AlgorithmEx, which times the candidates on the real buffers, and kept with the
 * problem's descriptors; the workspace is one buffer per GPU that only grows.
 *
 * <p>cuDNN pads symmetrically, while Panamax's geometry takes the output size from y (so the
 * bottom and right padding may differ, as for padding="same" with an even kernel). Such problems
 * run on an explicitly zero-padded copy of the input with no cuDNN padding.
 */
final class CudnnConvolution {
    /** The three convolution calls. */
    enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    private static final long MAX_FIND_WORKSPACE = 1L << 30;
    private static final int MAX_PLANS = 1024;

    /** A problem as cuDNN sees it: the x, w and y of a forward convolution. */
    private record Key(Pass pass, DType dtype, List<Long> x, List<Long> xStrides, List<Long> w, List<Long> y, List<Long> yStrides,
                       Conv2dSpec spec, boolean tf32, boolean deterministic) {}

    /** Descriptors and the chosen algorithm of one problem. */
    private record Plan(MemorySegment x, MemorySegment w, MemorySegment y, MemorySegment conv, int algo, long workspace) {}

    private final CudaContext ctx;
    private final CudaBackend backend;
    private final CudnnDescriptors descriptors;
    private final Map<Key, Plan> plans = new ConcurrentHashMap<>();
    private final Arena arena = Arena.ofShared();
    private long workspace;
    private long workspaceBytes;

    CudnnConvolution(CudaContext ctx, CudaBackend backend, CudnnDescriptors descriptors) {
        this.ctx = ctx;
        this.backend = backend;
        this.descriptors = descriptors;
    }

    /** cuDNN's output size for symmetric padding: the y it would compute from x. */
    private static long cudnnOut(long in, int pad, int kernel, int stride, int dilation) {
        return (in + 2L * pad - (long) dilation * (kernel - 1) - 1) / stride + 1;
    }

    /** The input rows (or columns) a padding-free convolution giving {@code out} outputs reads. */
    private static long paddedIn(long out, int kernel, int stride, int dilation) {
        return (out - 1) * stride + (long) dilation * (kernel - 1) + 1;
    }

    private static boolean symmetric(long[] x, long[] w, long[] y, Conv2dSpec s) {
        return cudnnOut(x[2], s.padTop(), (int) w[2], s.strideH(), s.dilationH()) == y[2]
                && cudnnOut(x[3], s.padLeft(), (int) w[3], s.strideW(), s.dilationW()) == y[3];
    }

    private static Conv2dSpec unpadded(Conv2dSpec s) {
        return new Conv2dSpec(s.strideH(), s.strideW(), 0, 0, s.dilationH(), s.dilationW(), s.groups());
    }

    void forward(Operand x, Operand w, Operand bias, Conv2dSpec spec, Operand y) {
        if (symmetric(x.shape(), w.shape(), y.shape(), spec)) {
            run(Pass.FORWARD, x, w, y, spec);
        } else {
            Storage xp = padInput(x, w.shape(), y.shape(), spec);
            try {
                run(Pass.FORWARD, dense(xp, x.dtype(), paddedShape(x.shape(), w.shape(), y.shape(), spec)), w, y, unpadded(spec));
            } finally {
                xp.release();
            }
        }
        if (bias != null) {
            long[] b = {0, bias.strides()[0], 0, 0};
            backend.binary(BinaryOp.ADD, y, bias.withLayout(y.shape(), b, bias.offset()), y);
        }
    }

    void backwardData(Operand gy, Operand w, Conv2dSpec spec, Operand gx) {
        if (symmetric(gx.shape(), w.shape(), gy.shape(), spec)) {
            run(Pass.BACKWARD_DATA, gx, w, gy, spec);
            return;
        }
        long[] ps = paddedShape(gx.shape(), w.shape(), gy.shape(), spec);
        Storage gxp = backend.allocate(gx.dtype(), Shape.of(ps).numel());
        try {
            Operand padded = dense(gxp, gx.dtype(), ps);
            run(Pass.BACKWARD_DATA, padded, w, gy, unpadded(spec));
            backend.fill(gx, 0);
            copyRegion(padded, spec.padTop(), spec.padLeft(), gx, 0, 0);
        } finally {
            gxp.release();
        }
    }

    void backwardFilter(Operand x, Operand gy, Conv2dSpec spec, Operand gw) {
        if (symmetric(x.shape(), gw.shape(), gy.shape(), spec)) {
            run(Pass.BACKWARD_FILTER, x, gw, gy, spec);
            return;
        }
        Storage xp = padInput(x, gw.shape(), gy.shape(), spec);
        try {
            run(Pass.BACKWARD_FILTER, dense(xp, x.dtype(), paddedShape(x.shape(), gw.shape(), gy.shape(), spec)), gw, gy, unpadded(spec));
        } finally {
            xp.release();
        }
    }

    private static long[] paddedShape(long[] x, long[] w, long[] y, Conv2dSpec s) {
        return new long[] {x[0], x[1], paddedIn(y[2], (int) w[2], s.strideH(), s.dilationH()), paddedIn(y[3], (int) w[3], s.strideW(), s.dilationW())};
    }

    private static Operand dense(Storage s, DType t, long[] shape) {
        return new Operand(s, t, shape, Shape.of(shape).contiguousStrides(), 0);
    }

    /** x zero-padded by padTop / padLeft, and at the bottom and right to what y needs (or cropped to it). */
    private Storage padInput(Operand x, long[] w, long[] y, Conv2dSpec spec) {
        long[] ps = paddedShape(x.shape(), w, y, spec);
        Storage s = backend.allocate(x.dtype(), Shape.of(ps).numel());
        Operand padded = dense(s, x.dtype(), ps);
        backend.fill(padded, 0);
        copyRegion(x, 0, 0, padded, spec.padTop(), spec.padLeft());
        return s;
    }

    /** Copies the overlap of src from (row, col) into dst at (row, col), both [N, C, H, W]. */
    private void copyRegion(Operand src, long srcRow, long srcCol, Operand dst, long dstRow, long dstCol) {
        long[] ss = src.shape();
        long[] ds = dst.shape();
        long rows = Math.min(ss[2] - srcRow, ds[2] - dstRow);
        long cols = Math.min(ss[3] - srcCol, ds[3] - dstCol);
        if (rows <= 0 || cols <= 0) {
            return;
        }
        long[] shape = {ss[0], ss[1], rows, cols};
        long[] st = src.strides();
        long[] dt = dst.strides();
        backend.copy(src.withLayout(shape, st, src.offset() + srcRow * st[2] + srcCol * st[3]),
                dst.withLayout(shape, dt, dst.offset() + dstRow * dt[2] + dstCol * dt[3]));
    }

    // ---------------------------------------------------------------- cuDNN

    private static List<Long> list(long[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    /** Runs one pass: x, w and y are the forward's operands (for the backwards, the gradient buffers). */
    private void run(Pass pass, Operand x, Operand w, Operand y, Conv2dSpec spec) {
        Key key = new Key(pass, x.dtype(), list(x.shape()), list(x.strides()), list(w.shape()), list(y.shape()), list(y.strides()),
                spec, CudaOptions.allowTf32(), CudaOptions.deterministic());
        MemorySegment px = MemorySegment.ofAddress(CudaStorage.address(x));
        MemorySegment pw = MemorySegment.ofAddress(CudaStorage.address(w));
        MemorySegment py = MemorySegment.ofAddress(CudaStorage.address(y));
        MemorySegment handle = ctx.cudnn();
        DType t = x.dtype();
        synchronized (ctx.libraryLock) {
            Plan p = plans.get(key);
            if (p == null) {
                if (plans.size() >= MAX_PLANS) {
                    plans.values().forEach(CudnnConvolution::destroy);
                    plans.clear();
                }
                p = plan(key, x, w, y, spec, px, pw, py);
                plans.put(key, p);
            }
            Plan plan = p;
            MemorySegment ws = MemorySegment.ofAddress(workspace(plan.workspace()));
            long wsBytes = plan.workspace();
            switch (pass) {
                case FORWARD -> Status.cudnn("cudnnConvolutionForward", () -> Cudnn.cudnnConvolutionForward(handle, descriptors.one(t), plan.x(), px,
                        plan.w(), pw, plan.conv(), plan.algo(), ws, wsBytes, descriptors.zero(t), plan.y(), py));
                case BACKWARD_DATA -> Status.cudnn("cudnnConvolutionBackwardData", () -> Cudnn.cudnnConvolutionBackwardData(handle, descriptors.one(t),
                        plan.w(), pw, plan.y(), py, plan.conv(), plan.algo(), ws, wsBytes, descriptors.zero(t), plan.x(), px));
                case BACKWARD_FILTER -> Status.cudnn("cudnnConvolutionBackwardFilter", () -> Cudnn.cudnnConvolutionBackwardFilter(handle,
                        descriptors.one(t), plan.x(), px, plan.y(), py, plan.conv(), plan.algo(), ws, wsBytes, descriptors.zero(t), plan.w(), pw));
            }
        }
    }

    /** The context's workspace, grown to at least {@code bytes}. */
    private long workspace(long bytes) {
        if (bytes > workspaceBytes) {
            ctx.free(workspace, workspaceBytes);
            workspace = ctx.allocate(bytes);
            workspaceBytes = bytes;
        }
        return workspace;
    }

    private Plan plan(Key key, Operand x, Operand w, Operand y, Conv2dSpec spec, MemorySegment px, MemorySegment pw, MemorySegment py) {
        int dataType = x.dtype() == DType.FLOAT32 ? Cudnn.CUDNN_DATA_FLOAT() : Cudnn.CUDNN_DATA_DOUBLE();
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        MemorySegment xd = tensor(dataType, x, out);
        MemorySegment yd = tensor(dataType, y, out);
        Status.cudnn("cudnnCreateFilterDescriptor", () -> Cudnn.cudnnCreateFilterDescriptor(out));
        MemorySegment wd = out.get(ValueLayout.ADDRESS, 0);
        long[] ws = w.shape();
        Status.cudnn("cudnnSetFilter4dDescriptor", () -> Cudnn.cudnnSetFilter4dDescriptor(wd, dataType, Cudnn.CUDNN_TENSOR_NCHW(),
                (int) ws[0], (int) ws[1], (int) ws[2], (int) ws[3]));
        Status.cudnn("cudnnCreateConvolutionDescriptor", () -> Cudnn.cudnnCreateConvolutionDescriptor(out));
        MemorySegment cd = out.get(ValueLayout.ADDRESS, 0);
        Status.cudnn("cudnnSetConvolution2dDescriptor", () -> Cudnn.cudnnSetConvolution2dDescriptor(cd, spec.padTop(), spec.padLeft(),
                spec.strideH(), spec.strideW(), spec.dilationH(), spec.dilationW(), Cudnn.CUDNN_CROSS_CORRELATION(), dataType));
        Status.cudnn("cudnnSetConvolutionGroupCount", () -> Cudnn.cudnnSetConvolutionGroupCount(cd, spec.groups()));
        int math = key.tf32() ? Cudnn.CUDNN_DEFAULT_MATH() : Cudnn.CUDNN_FMA_MATH();
        Status.cudnn("cudnnSetConvolutionMathType", () -> Cudnn.cudnnSetConvolutionMathType(cd, math));
        MemorySegment perf = find(key, xd, px, wd, pw, yd, py, cd);
        Status.cudnn("cudnnSetConvolutionMathType", () -> Cudnn.cudnnSetConvolutionMathType(cd, cudnnConvolutionFwdAlgoPerfStruct.mathType(perf)));
        return new Plan(xd, wd, yd, cd, cudnnConvolutionFwdAlgoPerfStruct.algo(perf), cudnnConvolutionFwdAlgoPerfStruct.memory(perf));
    }

    private MemorySegment tensor(int dataType, Operand op, MemorySegment out) {
        Status.cudnn("cudnnCreateTensorDescriptor", () -> Cudnn.cudnnCreateTensorDescriptor(out));
        MemorySegment d = out.get(ValueLayout.ADDRESS, 0);
        MemorySegment dims = arena.allocateFrom(ValueLayout.JAVA_INT, Arrays.stream(op.shape()).mapToInt(Math::toIntExact).toArray());
        MemorySegment strides = arena.allocateFrom(ValueLayout.JAVA_INT, Arrays.stream(op.strides()).mapToInt(Math::toIntExact).toArray());
        Status.cudnn("cudnnSetTensorNdDescriptor", () -> Cudnn.cudnnSetTensorNdDescriptor(d, dataType, 4, dims, strides));
        return d;
    }

    /**
     * Times the pass's algorithms on the real buffers and returns the fastest that succeeded (and
     * is deterministic, when asked). The three perf structs of cuDNN share one layout, read here
     * through the forward one's accessors (CudnnLayoutTest checks they agree).
     */
    private MemorySegment find(Key key, MemorySegment xd, MemorySegment px, MemorySegment wd, MemorySegment pw, MemorySegment yd,
                               MemorySegment py, MemorySegment cd) {
        MemorySegment handle = ctx.cudnn();
        MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
        switch (key.pass()) {
            case FORWARD -> Status.cudnn("cudnnGetConvolutionForwardAlgorithmMaxCount",
                    () -> Cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount(handle, count));
            case BACKWARD_DATA -> Status.cudnn("cudnnGetConvolutionBackwardDataAlgorithmMaxCount",
                    () -> Cudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle, count));
            case BACKWARD_FILTER -> Status.cudnn("cudnnGetConvolutionBackwardFilterAlgorithmMaxCount",
                    () -> Cudnn.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(handle, count));
        }
        int max = count.get(ValueLayout.JAVA_INT, 0);
        long wsBytes = Math.min(MAX_FIND_WORKSPACE, largestWorkspace(key.pass(), max, xd, wd, yd, cd));
        long structBytes = cudnnConvolutionFwdAlgoPerfStruct.layout().byteSize();
        MemorySegment results = arena.allocate(structBytes * Math.max(1, max), 8);
        try (CudaContext.Scratch scratch = ctx.scratch(wsBytes)) {
            MemorySegment ws = MemorySegment.ofAddress(scratch.address());
            switch (key.pass()) {
                case FORWARD -> Status.cudnn("cudnnFindConvolutionForwardAlgorithmEx", () -> Cudnn.cudnnFindConvolutionForwardAlgorithmEx(
                        handle, xd, px, wd, pw, cd, yd, py, max, count, results, ws, wsBytes));
                case BACKWARD_DATA -> Status.cudnn("cudnnFindConvolutionBackwardDataAlgorithmEx",
                        () -> Cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(handle, wd, pw, yd, py, cd, xd, px, max, count, results, ws, wsBytes));
                case BACKWARD_FILTER -> Status.cudnn("cudnnFindConvolutionBackwardFilterAlgorithmEx",
                        () -> Cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, xd, px, yd, py, cd, wd, pw, max, count, results, ws, wsBytes));
            }
        }
        int returned = count.get(ValueLayout.JAVA_INT, 0);
        for (int i = 0; i < returned; i++) {
            MemorySegment r = results.asSlice(i * structBytes, structBytes);
            boolean ok = cudnnConvolutionFwdAlgoPerfStruct.status(r) == 0;
            if (ok && (!key.deterministic() || cudnnConvolutionFwdAlgoPerfStruct.determinism(r) == Cudnn.CUDNN_DETERMINISTIC())) {
                return r;
            }
        }
        throw new IllegalStateException("cuDNN has no " + (key.deterministic() ? "deterministic " : "") + "algorithm for conv2d "
                + key.pass().name().toLowerCase(java.util.Locale.ROOT) + " of x " + key.x() + " and w " + key.w() + " to y " + key.y()
                + " (" + key.dtype().pyName() + ", " + key.spec() + "; " + returned + " candidates tried)");
    }

    /** The largest workspace any of the pass's algorithms asks for (those cuDNN rejects for the problem are skipped). */
    private long largestWorkspace(Pass pass, int algorithms, MemorySegment xd, MemorySegment wd, MemorySegment yd, MemorySegment cd) {
        MemorySegment handle = ctx.cudnn();
        MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
        long largest = 0;
        for (int algo = 0; algo < algorithms; algo++) {
            int status = switch (pass) {
                case FORWARD -> Cudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, xd, wd, cd, yd, algo, size);
                case BACKWARD_DATA -> Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, wd, yd, cd, xd, algo, size);
                case BACKWARD_FILTER -> Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, xd, yd, cd, wd, algo, size);
            };
            if (status == 0) {
                largest = Math.max(largest, size.get(ValueLayout.JAVA_LONG, 0));
            }
        }
        return largest;
    }

    private static void destroy(Plan p) {
        Cudnn.cudnnDestroyTensorDescriptor(p.x());
        Cudnn.cudnnDestroyTensorDescriptor(p.y());
        Cudnn.cudnnDestroyFilterDescriptor(p.w());
        Cudnn.cudnnDestroyConvolutionDescriptor(p.conv());
    }
}
