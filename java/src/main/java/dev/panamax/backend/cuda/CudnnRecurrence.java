package dev.panamax.backend.cuda;

import dev.panamax.backend.FusedRecurrence;
import dev.panamax.backend.Operand;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.backend.RecurrentWeights;
import dev.panamax.bindings.cudnn.Cudnn;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FusedRecurrence} on cuDNN's RNN API (libcudnn_adv): cudnnRNNForward,
 * cudnnRNNBackwardData_v8 and cudnnRNNBackwardWeights_v8 over a weight space whose layout
 * ({@link CudnnRnnLayout}) is read once per stack. As PyTorch does: sequence-major unpacked data
 * with padded I/O (per-sequence lengths, zeros past them), both biases (left zero when the layers
 * have none), a dropout descriptor with no dropout (inter-layer dropout in training stays on
 * the layer-by-layer path), FMA math for float32 unless TF32 is allowed. Descriptors, sizes and
 * the device copy of the lengths are kept per stack and per batch shape; every shape is checked
 * here before a call, so a wrong one is an exception and never reaches cuDNN.
 */
final class CudnnRecurrence implements FusedRecurrence {
    private static final Logger LOG = LoggerFactory.getLogger(CudnnRecurrence.class);
    private static final int MAX_STACKS = 64;
    private static final int MAX_BATCHES = 256;

    /** A stack's descriptors, weight space and layout, or why cuDNN refused it. */
    private record Stack(MemorySegment rnn, MemorySegment dropout, long weightBytes, RecurrentWeights weights, String refused) {}

    /** One batch shape of a stack: x and y data descriptors, the device lengths, and the work and reserve sizes. */
    private record Batch(MemorySegment x, MemorySegment y, long deviceLengths, int batch, long inferenceWorkspace, long trainingWorkspace,
                         long reserve) {}

    private final CudaContext ctx;
    private final CudnnDescriptors descriptors;
    private final Arena arena = Arena.ofShared();
    private final Map<List<Object>, Stack> stacks = new HashMap<>();
    private final Map<List<Object>, Batch> batches = new HashMap<>();

    CudnnRecurrence(CudaContext ctx, CudnnDescriptors descriptors) {
        this.ctx = ctx;
        this.descriptors = descriptors;
    }

    /**
     * Why no recurrent layer runs on cuDNN now, or "": its RNN sublibrary must have been found and
     * loaded, and bit-for-bit repeatability must not be asked for (cuDNN does not promise it for
     * RNNs, so {@link CudaOptions#deterministic()} keeps the layer-by-layer path).
     */
    static String unavailable() {
        if (CudaProbe.loadedPath(CudaLibrary.DNN_ADV).isEmpty()) {
            return String.join(" or ", CudaLibrary.DNN_ADV.sonames(0)) + " (" + CudaLibrary.DNN_ADV.description() + ") was not found or did not load";
        }
        return CudaOptions.deterministic() ? "deterministic mode: cuDNN's RNN does not promise repeatable bits" : "";
    }

    @Override
    public String unsupported(RecurrentSpec spec) {
        String missing = unavailable();
        if (!missing.isEmpty()) {
            return missing;
        }
        if (spec.dtype() != DType.FLOAT32 && spec.dtype() != DType.FLOAT64) {
            return "cuDNN's RNN here takes float32 and float64, got " + spec.dtype().pyName();
        }
        if (spec.inputSize() > Integer.MAX_VALUE || spec.hiddenSize() > Integer.MAX_VALUE) {
            return "sizes beyond int32";
        }
        synchronized (ctx.libraryLock) {
            enter();
            return stack(spec).refused();
        }
    }

    @Override
    public RecurrentWeights weights(RecurrentSpec spec) {
        synchronized (ctx.libraryLock) {
            enter();
            return accepted(spec).weights();
        }
    }

    @Override
    public long reserveBytes(RecurrentSpec spec, long steps, int[] lengths) {
        synchronized (ctx.libraryLock) {
            enter();
            return batch(spec, accepted(spec), steps, lengths).reserve();
        }
    }

    @Override
    public void forward(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand c0, Operand weights, Operand y, Operand hy,
                        Operand cy, Operand reserve) {
        call(spec, lengths, x, h0, c0, weights, y, reserve, (s, b) -> {
            expect("hy", hy, spec, states(spec, b.batch(), spec.outSize()));
            expect("cy", cy, spec, lstm(spec) ? states(spec, b.batch(), spec.hiddenSize()) : null);
            boolean training = reserve != null;
            long work = training ? b.trainingWorkspace() : b.inferenceWorkspace();
            MemorySegment h = hDesc(spec, b.batch());
            MemorySegment c = cDesc(spec, b.batch());
            MemorySegment handle = ctx.cudnn();
            int mode = training ? Cudnn.CUDNN_FWD_MODE_TRAINING() : Cudnn.CUDNN_FWD_MODE_INFERENCE();
            try (CudaContext.Scratch ws = ctx.scratch(work)) {
                Status.cudnn("cudnnRNNForward", () -> Cudnn.cudnnRNNForward(handle, s.rnn(), mode, lengthsOf(b), b.x(), ptr(x), b.y(), ptr(y),
                        h, ptr(h0), ptr(hy), c, ptr(c0), ptr(cy), s.weightBytes(), ptr(weights), work, address(ws), bytes(reserve),
                        ptr(reserve)));
            }
        });
    }

    @Override
    public void backwardData(RecurrentSpec spec, int[] lengths, Operand y, Operand dy, Operand h0, Operand dhy, Operand c0, Operand dcy,
                             Operand weights, Operand reserve, Operand dx, Operand dh0, Operand dc0) {
        call(spec, lengths, dx, h0, c0, weights, y, requireReserve(reserve), (s, b) -> {
            expect("dy", dy, spec, y.shape());
            long[] hShape = states(spec, b.batch(), spec.outSize());
            long[] cShape = lstm(spec) ? states(spec, b.batch(), spec.hiddenSize()) : null;
            expect("dhy", dhy, spec, hShape);
            expect("dcy", dcy, spec, cShape);
            expect("dh0", dh0, spec, h0 == null ? null : hShape);
            expect("dc0", dc0, spec, c0 == null ? null : cShape);
            MemorySegment h = hDesc(spec, b.batch());
            MemorySegment c = cDesc(spec, b.batch());
            MemorySegment handle = ctx.cudnn();
            try (CudaContext.Scratch ws = ctx.scratch(b.trainingWorkspace())) {
                Status.cudnn("cudnnRNNBackwardData_v8", () -> Cudnn.cudnnRNNBackwardData_v8(handle, s.rnn(), lengthsOf(b), b.y(), ptr(y),
                        ptr(dy), b.x(), ptr(dx), h, ptr(h0), ptr(dhy), ptr(dh0), c, ptr(c0), ptr(dcy), ptr(dc0), s.weightBytes(),
                        ptr(weights), b.trainingWorkspace(), address(ws), bytes(reserve), ptr(reserve)));
            }
        });
    }

    @Override
    public void backwardWeights(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand y, Operand reserve, Operand dWeights) {
        call(spec, lengths, x, h0, null, dWeights, y, requireReserve(reserve), (s, b) -> {
            MemorySegment handle = ctx.cudnn();
            try (CudaContext.Scratch ws = ctx.scratch(b.trainingWorkspace())) {
                Status.cudnn("cudnnRNNBackwardWeights_v8", () -> Cudnn.cudnnRNNBackwardWeights_v8(handle, s.rnn(), Cudnn.CUDNN_WGRAD_MODE_ADD(),
                        lengthsOf(b), b.x(), ptr(x), hDesc(spec, b.batch()), ptr(h0), b.y(), ptr(y), s.weightBytes(), ptr(dWeights),
                        b.trainingWorkspace(), address(ws), bytes(reserve), ptr(reserve)));
            }
        });
    }

    /** The body of a cuDNN call, given its stack and batch. */
    @FunctionalInterface
    private interface Body {
        void run(Stack stack, Batch batch);
    }

    /**
     * Runs {@code body} under the library lock once the stack and batch shape are known and the
     * operands every call shares are checked: x (or dx) [T, B, in] with T its first dim, y, h0 and
     * c0 (null: none), the weight (or gradient) space and the reserve (null: inference).
     */
    private void call(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand c0, Operand weights, Operand y, Operand reserve,
                      Body body) {
        long steps = x.shape()[0];
        synchronized (ctx.libraryLock) {
            enter();
            Stack s = accepted(spec);
            Batch b = batch(spec, s, steps, lengths);
            checkCommon(spec, s, b, steps, x, h0, c0, weights, y, reserve);
            body.run(s, b);
        }
    }

    // ---------------------------------------------------------------- checks

    /** The operands every call shares (see {@link #call}). */
    private static void checkCommon(RecurrentSpec spec, Stack s, Batch b, long steps, Operand x, Operand h0, Operand c0, Operand weights,
                                    Operand y, Operand reserve) {
        expect("x", x, spec, new long[] {steps, b.batch(), spec.inputSize()});
        expect("y", y, spec, new long[] {steps, b.batch(), spec.directions() * spec.outSize()});
        if (h0 != null) {
            expect("h0", h0, spec, states(spec, b.batch(), spec.outSize()));
        }
        if (c0 != null) {
            expect("c0", c0, spec, lstm(spec) ? states(spec, b.batch(), spec.hiddenSize()) : null);
        }
        expect("weights", weights, spec, new long[] {s.weights().elements()});
        if (reserve != null && bytes(reserve) < b.reserve()) {
            throw new IllegalArgumentException("cuDNN RNN: reserve " + reserve + " holds " + bytes(reserve) + " bytes, " + b.reserve() + " needed");
        }
    }

    private static Operand requireReserve(Operand reserve) {
        if (reserve == null) {
            throw new IllegalArgumentException("cuDNN RNN: a backward needs the reserve space of a training forward, got null");
        }
        return reserve;
    }

    /** A dense operand of the spec's dtype and the given shape, or null where {@code shape} is null. */
    static void expect(String name, Operand op, RecurrentSpec spec, long[] shape) {
        if (shape == null || op == null) {
            if ((shape == null) != (op == null)) {
                throw new IllegalArgumentException("cuDNN RNN: " + name + " must be " + (shape == null ? "null" : Arrays.toString(shape))
                        + " for " + spec + ", got " + op);
            }
            return;
        }
        if (!Arrays.equals(op.shape(), shape) || op.dtype() != spec.dtype() || !op.isContiguous()) {
            throw new IllegalArgumentException("cuDNN RNN: " + name + " must be dense " + spec.dtype().pyName() + Arrays.toString(shape)
                    + " for " + spec + ", got " + op);
        }
    }

    private static long[] states(RecurrentSpec spec, long batch, long size) {
        return new long[] {(long) spec.numLayers() * spec.directions(), batch, size};
    }

    private static boolean lstm(RecurrentSpec spec) {
        return spec.cell() == RecurrentSpec.Cell.LSTM;
    }

    // ---------------------------------------------------------------- descriptors (under the library lock)

    private Stack accepted(RecurrentSpec spec) {
        Stack s = stack(spec);
        if (!s.refused().isEmpty()) {
            throw new IllegalStateException("cuDNN RNN: " + spec + " is not supported: " + s.refused());
        }
        return s;
    }

    private Stack stack(RecurrentSpec spec) {
        List<Object> key = List.of(spec, CudaOptions.allowTf32());
        Stack s = stacks.get(key);
        if (s == null) {
            try {
                s = createStack(spec, CudaOptions.allowTf32());
            } catch (RuntimeException e) {
                // a missing symbol, a configuration cuDNN does not support, or a layout PyTorch's parameters do not fit
                LOG.warn("recurrent layers {} run layer by layer on {}: {}", spec, Device.cuda(ctx.index()), e.getMessage());
                s = new Stack(null, null, 0, null, "cuDNN refuses it: " + e.getMessage());
            }
            stacks.put(key, s);
        }
        return s;
    }

    private Stack createStack(RecurrentSpec spec, boolean tf32) {
        MemorySegment handle = ctx.cudnn();
        MemorySegment dropout = create("cudnnCreateDropoutDescriptor", Cudnn::cudnnCreateDropoutDescriptor);
        MemorySegment rnn = null;
        try {
            Status.cudnn("cudnnSetDropoutDescriptor", () -> Cudnn.cudnnSetDropoutDescriptor(dropout, handle, 0f, MemorySegment.NULL, 0, 0));
            rnn = create("cudnnCreateRNNDescriptor", Cudnn::cudnnCreateRNNDescriptor);
            MemorySegment desc = rnn;
            int cell = switch (spec.cell()) {
                case RNN_TANH -> Cudnn.CUDNN_RNN_TANH();
                case RNN_RELU -> Cudnn.CUDNN_RNN_RELU();
                case LSTM -> Cudnn.CUDNN_LSTM();
                case GRU -> Cudnn.CUDNN_GRU();
            };
            int dataType = CudnnDescriptors.dataType(spec.dtype());
            int math = spec.dtype() == DType.FLOAT32 && !tf32 ? Cudnn.CUDNN_FMA_MATH() : Cudnn.CUDNN_DEFAULT_MATH();
            // cuDNN disables the projection with projSize == hiddenSize
            int proj = (int) (spec.projSize() > 0 ? spec.projSize() : spec.hiddenSize());
            Status.cudnn("cudnnSetRNNDescriptor_v8", () -> Cudnn.cudnnSetRNNDescriptor_v8(desc, Cudnn.CUDNN_RNN_ALGO_STANDARD(), cell,
                    Cudnn.CUDNN_RNN_DOUBLE_BIAS(), spec.bidirectional() ? Cudnn.CUDNN_BIDIRECTIONAL() : Cudnn.CUDNN_UNIDIRECTIONAL(),
                    Cudnn.CUDNN_LINEAR_INPUT(), dataType, dataType, math, (int) spec.inputSize(), (int) spec.hiddenSize(), proj,
                    spec.numLayers(), dropout, Cudnn.CUDNN_RNN_PADDED_IO_ENABLED()));
            MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
            Status.cudnn("cudnnGetRNNWeightSpaceSize", () -> Cudnn.cudnnGetRNNWeightSpaceSize(handle, desc, size));
            long weightBytes = size.get(ValueLayout.JAVA_LONG, 0);
            int elem = spec.dtype().byteSize();
            if (weightBytes <= 0 || weightBytes % elem != 0) {
                throw new IllegalStateException("cuDNN reports a weight space of " + weightBytes + " bytes for " + spec);
            }
            return new Stack(rnn, dropout, weightBytes, layout(spec, desc, weightBytes), "");
        } catch (RuntimeException | Error e) {
            if (rnn != null) {
                Cudnn.cudnnDestroyRNNDescriptor(rnn);
            }
            Cudnn.cudnnDestroyDropoutDescriptor(dropout);
            throw e;
        }
    }

    /** The weight space layout, from cudnnGetRNNWeightParams on a scratch space of the right size (it only does address arithmetic). */
    private RecurrentWeights layout(RecurrentSpec spec, MemorySegment rnn, long weightBytes) {
        int elem = spec.dtype().byteSize();
        MemorySegment handle = ctx.cudnn();
        MemorySegment desc = create("cudnnCreateTensorDescriptor", Cudnn::cudnnCreateTensorDescriptor);
        try (Arena a = Arena.ofConfined(); CudaContext.Scratch space = ctx.scratch(weightBytes)) {
            MemorySegment addr = a.allocate(ValueLayout.ADDRESS);
            MemorySegment type = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment rank = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment dims = a.allocate(ValueLayout.JAVA_INT, 8);
            MemorySegment strides = a.allocate(ValueLayout.JAVA_INT, 8);
            long base = space.address();
            return CudnnRnnLayout.plan(spec, weightBytes / elem, (pl, id, bias) -> {
                addr.set(ValueLayout.ADDRESS, 0, MemorySegment.NULL);
                Status.cudnn("cudnnGetRNNWeightParams", () -> Cudnn.cudnnGetRNNWeightParams(handle, rnn, pl, weightBytes,
                        MemorySegment.ofAddress(base), id, bias ? MemorySegment.NULL : desc, bias ? MemorySegment.NULL : addr,
                        bias ? desc : MemorySegment.NULL, bias ? addr : MemorySegment.NULL));
                long at = addr.get(ValueLayout.ADDRESS, 0).address();
                if (at == 0) {
                    return null;
                }
                Status.cudnn("cudnnGetTensorNdDescriptor", () -> Cudnn.cudnnGetTensorNdDescriptor(desc, 8, type, rank, dims, strides));
                int n = rank.get(ValueLayout.JAVA_INT, 0);
                if (n < 1 || n > 8 || (at - base) % elem != 0) {
                    throw new IllegalStateException("cuDNN describes weight " + id + " of pseudo-layer " + pl + " with " + n + " dims at byte "
                            + (at - base) + " of the space");
                }
                long count = 1;
                for (int d = 0; d < n; d++) {
                    count = Math.multiplyExact(count, (long) dims.getAtIndex(ValueLayout.JAVA_INT, d));
                }
                return new CudnnRnnLayout.Region((at - base) / elem, count);
            });
        } finally {
            Cudnn.cudnnDestroyTensorDescriptor(desc);
        }
    }

    private Batch batch(RecurrentSpec spec, Stack s, long steps, int[] lengths) {
        if (steps < 1 || steps > Integer.MAX_VALUE || lengths.length == 0) {
            throw new IllegalArgumentException("cuDNN RNN: " + steps + " steps and " + lengths.length + " sequences; both must be positive");
        }
        for (int len : lengths) {
            if (len < 1 || len > steps) {
                throw new IllegalArgumentException("cuDNN RNN: lengths " + Arrays.toString(lengths) + " must each be in 1.." + steps);
            }
        }
        List<Object> key = List.of(spec, CudaOptions.allowTf32(), steps, Arrays.stream(lengths).boxed().toList());
        Batch b = batches.get(key);
        if (b == null) {
            b = createBatch(spec, s, (int) steps, lengths);
            batches.put(key, b);
        }
        return b;
    }

    private Batch createBatch(RecurrentSpec spec, Stack s, int steps, int[] lengths) {
        MemorySegment x = dataDescriptor(spec, steps, lengths, spec.inputSize());
        MemorySegment y = null;
        long device = 0;
        try {
            y = dataDescriptor(spec, steps, lengths, spec.directions() * spec.outSize());
            device = ctx.allocate(4L * lengths.length);
            ctx.upload(MemorySegment.ofArray(lengths), device);
            MemorySegment handle = ctx.cudnn();
            MemorySegment work = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment reserve = arena.allocate(ValueLayout.JAVA_LONG);
            Status.cudnn("cudnnGetRNNTempSpaceSizes", () -> Cudnn.cudnnGetRNNTempSpaceSizes(handle, s.rnn(), Cudnn.CUDNN_FWD_MODE_INFERENCE(), x,
                    work, MemorySegment.NULL));
            long inference = work.get(ValueLayout.JAVA_LONG, 0);
            Status.cudnn("cudnnGetRNNTempSpaceSizes", () -> Cudnn.cudnnGetRNNTempSpaceSizes(handle, s.rnn(), Cudnn.CUDNN_FWD_MODE_TRAINING(), x,
                    work, reserve));
            return new Batch(x, y, device, lengths.length, inference, work.get(ValueLayout.JAVA_LONG, 0), reserve.get(ValueLayout.JAVA_LONG, 0));
        } catch (RuntimeException | Error e) {
            Cudnn.cudnnDestroyRNNDataDescriptor(x);
            if (y != null) {
                Cudnn.cudnnDestroyRNNDataDescriptor(y);
            }
            ctx.free(device, 4L * lengths.length);
            throw e;
        }
    }

    /** Sequence-major, unpacked, zero past each sequence's length. */
    private MemorySegment dataDescriptor(RecurrentSpec spec, int steps, int[] lengths, long vector) {
        MemorySegment d = create("cudnnCreateRNNDataDescriptor", Cudnn::cudnnCreateRNNDataDescriptor);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment lens = a.allocateFrom(ValueLayout.JAVA_INT, lengths);
            Status.cudnn("cudnnSetRNNDataDescriptor", () -> Cudnn.cudnnSetRNNDataDescriptor(d, CudnnDescriptors.dataType(spec.dtype()),
                    Cudnn.CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_UNPACKED(), steps, lengths.length, Math.toIntExact(vector), lens,
                    descriptors.zero(spec.dtype())));
            return d;
        } catch (RuntimeException | Error e) {
            Cudnn.cudnnDestroyRNNDataDescriptor(d);
            throw e;
        }
    }

    /** h0 and hy: [L·D, B, out], packed (padded to 5 dims with ones, as PyTorch describes them). */
    private MemorySegment hDesc(RecurrentSpec spec, long batch) {
        return stateDesc(spec, batch, spec.outSize());
    }

    /** c0 and cy: [L·D, B, H] (also passed, unused, for the cells without c). */
    private MemorySegment cDesc(RecurrentSpec spec, long batch) {
        return stateDesc(spec, batch, spec.hiddenSize());
    }

    private MemorySegment stateDesc(RecurrentSpec spec, long batch, long size) {
        long[] dims = {(long) spec.numLayers() * spec.directions(), batch, size, 1, 1};
        return descriptors.tensor(spec.dtype(), dims, new long[] {batch * size, size, 1, 1, 1});
    }

    /** At every entry, under the library lock: the GPU made current, and the caches emptied when full (no descriptor is in use between calls). */
    private void enter() {
        ctx.makeCurrent();
        if (stacks.size() >= MAX_STACKS || batches.size() >= MAX_BATCHES) {
            batches.values().forEach(b -> {
                Cudnn.cudnnDestroyRNNDataDescriptor(b.x());
                Cudnn.cudnnDestroyRNNDataDescriptor(b.y());
                ctx.free(b.deviceLengths(), 4L * b.batch());
            });
            batches.clear();
            stacks.values().stream().filter(s -> s.rnn() != null).forEach(s -> {
                Cudnn.cudnnDestroyRNNDescriptor(s.rnn());
                Cudnn.cudnnDestroyDropoutDescriptor(s.dropout());
            });
            stacks.clear();
        }
    }

    /** A binding's create call. */
    @FunctionalInterface
    private interface CreateCall {
        int apply(MemorySegment out);
    }

    private MemorySegment create(String name, CreateCall call) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Status.cudnn(name, () -> call.apply(out));
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    private static MemorySegment lengthsOf(Batch b) {
        return MemorySegment.ofAddress(b.deviceLengths());
    }

    private static MemorySegment ptr(Operand op) {
        return op == null ? MemorySegment.NULL : MemorySegment.ofAddress(CudaStorage.address(op));
    }

    private static MemorySegment address(CudaContext.Scratch s) {
        return s.address() == 0 ? MemorySegment.NULL : MemorySegment.ofAddress(s.address());
    }

    private static long bytes(Operand op) {
        return op == null ? 0 : op.numel() * op.dtype().byteSize();
    }
}
