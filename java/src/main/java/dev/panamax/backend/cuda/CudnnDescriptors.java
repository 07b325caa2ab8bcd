package dev.panamax.backend.cuda;

import dev.panamax.backend.Pool2dSpec;
import dev.panamax.bindings.cudnn.Cudnn;
import dev.panamax.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One GPU's cuDNN tensor, pooling and LRN descriptors, by what they describe: created on first
 * use and reused, so a training loop creates none after its first step. Used under the context's
 * library lock; when the cache outgrows its bound it is emptied between calls.
 */
final class CudnnDescriptors {
    private static final int MAX_ENTRIES = 4096;

    private final Map<List<Object>, MemorySegment> cache = new ConcurrentHashMap<>();
    private final Map<MemorySegment, Consumer<MemorySegment>> destroyers = new ConcurrentHashMap<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scalars;

    CudnnDescriptors() {
        scalars = arena.allocate(24, 8);
        scalars.set(ValueLayout.JAVA_FLOAT, 0, 1f);
        scalars.set(ValueLayout.JAVA_FLOAT, 4, 0f);
        scalars.set(ValueLayout.JAVA_DOUBLE, 8, 1.0);
        scalars.set(ValueLayout.JAVA_DOUBLE, 16, 0.0);
    }

    /** cuDNN's scaling factors are float for float32 data and double for float64. */
    MemorySegment one(DType t) {
        return t == DType.FLOAT32 ? scalars.asSlice(0, 4) : scalars.asSlice(8, 8);
    }

    MemorySegment zero(DType t) {
        return t == DType.FLOAT32 ? scalars.asSlice(4, 4) : scalars.asSlice(16, 8);
    }

    static int dataType(DType t) {
        return t == DType.FLOAT32 ? Cudnn.CUDNN_DATA_FLOAT() : Cudnn.CUDNN_DATA_DOUBLE();
    }

    /** Drops every descriptor once the cache is full (call between cuDNN calls, under the library lock). */
    void trim() {
        if (cache.size() > MAX_ENTRIES) {
            cache.values().forEach(d -> destroyers.remove(d).accept(d));
            cache.clear();
        }
    }

    private static List<Long> list(long[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    /** An N-d tensor descriptor (4 dims at least, as cuDNN wants; trailing size-1 dims are added). */
    MemorySegment tensor(DType t, long[] dims, long[] strides) {
        long[] d = Arrays.copyOf(dims, Math.max(4, dims.length));
        long[] s = Arrays.copyOf(strides, Math.max(4, strides.length));
        for (int i = dims.length; i < d.length; i++) {
            d[i] = 1;
            s[i] = 1;
        }
        return cache.computeIfAbsent(List.of("tensor", t, list(d), list(s)), k -> {
            MemorySegment desc = create(Cudnn::cudnnCreateTensorDescriptor, "cudnnCreateTensorDescriptor", Cudnn::cudnnDestroyTensorDescriptor);
            MemorySegment dimA = arena.allocateFrom(ValueLayout.JAVA_INT, Arrays.stream(d).mapToInt(Math::toIntExact).toArray());
            MemorySegment strideA = arena.allocateFrom(ValueLayout.JAVA_INT, Arrays.stream(s).mapToInt(Math::toIntExact).toArray());
            Status.cudnn("cudnnSetTensorNdDescriptor", () -> Cudnn.cudnnSetTensorNdDescriptor(desc, dataType(t), d.length, dimA, strideA));
            return desc;
        });
    }

    MemorySegment pooling(int mode, Pool2dSpec s) {
        return cache.computeIfAbsent(List.of("pooling", mode, s), k -> {
            MemorySegment desc = create(Cudnn::cudnnCreatePoolingDescriptor, "cudnnCreatePoolingDescriptor", Cudnn::cudnnDestroyPoolingDescriptor);
            Status.cudnn("cudnnSetPooling2dDescriptor", () -> Cudnn.cudnnSetPooling2dDescriptor(desc, mode, Cudnn.CUDNN_PROPAGATE_NAN(),
                    s.kernelH(), s.kernelW(), s.padTop(), s.padLeft(), s.strideH(), s.strideW()));
            return desc;
        });
    }

    MemorySegment lrn(int size, double alpha, double beta, double k) {
        return cache.computeIfAbsent(List.of("lrn", size, alpha, beta, k), key -> {
            MemorySegment desc = create(Cudnn::cudnnCreateLRNDescriptor, "cudnnCreateLRNDescriptor", Cudnn::cudnnDestroyLRNDescriptor);
            Status.cudnn("cudnnSetLRNDescriptor", () -> Cudnn.cudnnSetLRNDescriptor(desc, size, alpha, beta, k));
            return desc;
        });
    }

    /** A binding's create or destroy call. */
    @FunctionalInterface
    private interface DescriptorCall {
        int apply(MemorySegment s);
    }

    private MemorySegment create(DescriptorCall create, String name, DescriptorCall destroy) {
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        Status.cudnn(name, () -> create.apply(out));
        MemorySegment desc = out.get(ValueLayout.ADDRESS, 0);
        destroyers.put(desc, d -> destroy.apply(d));
        return desc;
    }
}
