package dev.panamax.backend.cuda;

import dev.panamax.bindings.cublas.Cublas;
import dev.panamax.bindings.cuda.CudaDriver;
import dev.panamax.bindings.cudart.CudaRuntime;
import dev.panamax.bindings.cudnn.Cudnn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One GPU's resources, created once and kept for the JVM's life: the device's primary context,
 * one non-blocking stream that all work is issued on (in order, so nothing else synchronises),
 * the device's stream-ordered memory pool set to keep what it has (no cudaMalloc or cudaFree
 * once a training loop has warmed up) with a cache of small blocks in front of it, cuBLAS and
 * cuDNN handles bound to the stream, the loaded fatbin of Panamax's kernels, and a pinned host
 * buffer for copies.
 */
final class CudaContext {
    /** Threads per block of every launch (the kernels' tree reductions assume this power of two). */
    static final int THREADS = 256;
    /** What every CUDA device gives a block without an opt-in attribute. */
    static final int MAX_DYNAMIC_SHARED_BYTES = 48 * 1024;
    private static final long STAGING_BYTES = 8L << 20;
    /** cudaErrorMemoryAllocation, stable across CUDA versions (not among the generated constants). */
    private static final int CUDA_ERROR_MEMORY_ALLOCATION = 2;
    private static final ThreadLocal<CudaContext> CURRENT = new ThreadLocal<>();
    private static final ThreadLocal<MemorySegment> OUT = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(ValueLayout.JAVA_LONG));

    private final int index;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment primary;
    private final MemorySegment stream;
    private final MemorySegment pool;
    private final MemorySegment cublas;
    private final MemorySegment cudnn;
    private final MemorySegment module;
    private final MemorySegment staging;
    private final int multiprocessors;
    private final Map<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private final SmallBlockCache smallBlocks = new SmallBlockCache();
    /** Held while a cuBLAS or cuDNN handle is in use: they may not be driven by two threads at once. */
    final Object libraryLock = new Object();

    CudaContext(int index, KernelImage kernels) {
        this.index = index;
        Status.cudart("cudaSetDevice", () -> CudaRuntime.cudaSetDevice(index));
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        MemorySegment dev = arena.allocate(ValueLayout.JAVA_INT);
        Status.driver("cuDeviceGet", () -> CudaDriver.cuDeviceGet(dev, index));
        Status.driver("cuDevicePrimaryCtxRetain", () -> CudaDriver.cuDevicePrimaryCtxRetain(out, dev.get(ValueLayout.JAVA_INT, 0)));
        primary = out.get(ValueLayout.ADDRESS, 0);
        Status.driver("cuCtxSetCurrent", () -> CudaDriver.cuCtxSetCurrent(primary));
        CURRENT.set(this);

        Status.cudart("cudaStreamCreateWithFlags", () -> CudaRuntime.cudaStreamCreateWithFlags(out, CudaRuntime.cudaStreamNonBlocking()));
        stream = out.get(ValueLayout.ADDRESS, 0);
        Status.cudart("cudaDeviceGetDefaultMemPool", () -> CudaRuntime.cudaDeviceGetDefaultMemPool(out, index));
        pool = out.get(ValueLayout.ADDRESS, 0);
        MemorySegment keepAll = arena.allocate(ValueLayout.JAVA_LONG);
        keepAll.set(ValueLayout.JAVA_LONG, 0, -1L); // UINT64_MAX: never give freed blocks back to the driver on its own
        Status.cudart("cudaMemPoolSetAttribute", () -> CudaRuntime.cudaMemPoolSetAttribute(pool, CudaRuntime.cudaMemPoolAttrReleaseThreshold(), keepAll));

        Status.cublas("cublasCreate", () -> Cublas.cublasCreate_v2(out));
        cublas = out.get(ValueLayout.ADDRESS, 0);
        Status.cublas("cublasSetStream", () -> Cublas.cublasSetStream_v2(cublas, stream));
        Status.cudnn("cudnnCreate", () -> Cudnn.cudnnCreate(out));
        cudnn = out.get(ValueLayout.ADDRESS, 0);
        Status.cudnn("cudnnSetStream", () -> Cudnn.cudnnSetStream(cudnn, stream));

        MemorySegment image = arena.allocateFrom(ValueLayout.JAVA_BYTE, kernels.bytes());
        Status.driver("cuModuleLoadData", () -> CudaDriver.cuModuleLoadData(out, image));
        module = out.get(ValueLayout.ADDRESS, 0);

        Status.cudart("cudaHostAlloc", () -> CudaRuntime.cudaHostAlloc(out, STAGING_BYTES, CudaRuntime.cudaHostAllocDefault()));
        staging = out.get(ValueLayout.ADDRESS, 0).reinterpret(STAGING_BYTES);
        MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
        Status.cudart("cudaDeviceGetAttribute", () -> CudaRuntime.cudaDeviceGetAttribute(v, CudaRuntime.cudaDevAttrMultiProcessorCount(), index));
        multiprocessors = v.get(ValueLayout.JAVA_INT, 0);
    }

    int index() {
        return index;
    }

    int multiprocessors() {
        return multiprocessors;
    }

    MemorySegment stream() {
        return stream;
    }

    MemorySegment cublas() {
        return cublas;
    }

    MemorySegment cudnn() {
        return cudnn;
    }

    /**
     * Makes this GPU current on the calling thread (runtime and driver API), once per thread and
     * context: every entry point calls it, as work may come from any thread (and frees from the
     * Cleaner's).
     */
    void makeCurrent() {
        if (CURRENT.get() != this) {
            Status.cudart("cudaSetDevice", () -> CudaRuntime.cudaSetDevice(index));
            Status.driver("cuCtxSetCurrent", () -> CudaDriver.cuCtxSetCurrent(primary));
            CURRENT.set(this);
        }
    }

    // ---------------------------------------------------------------- memory

    /**
     * A block of at least {@code bytes} (0 for an empty request): a cached small block of its size
     * when there is one, else one from the stream-ordered pool. On exhaustion the cached blocks and
     * the pool's reserve are released once and the allocation retried.
     */
    long allocate(long bytes) {
        if (bytes == 0) {
            return 0;
        }
        long size = SmallBlockCache.blockSize(bytes);
        if (SmallBlockCache.cacheable(size)) {
            long cached = smallBlocks.take(size);
            if (cached != 0) {
                return cached;
            }
        }
        makeCurrent();
        MemorySegment out = OUT.get();
        int s = CudaRuntime.cudaMallocAsync(out, size, stream); // the hot calls check their status inline: no lambda per call
        if (s == CUDA_ERROR_MEMORY_ALLOCATION) {
            CudaRuntime.cudaGetLastError(); // clear the (non-sticky) allocation error
            smallBlocks.drain(this::freeToPool);
            synchronize();
            Status.cudart("cudaMemPoolTrimTo", () -> CudaRuntime.cudaMemPoolTrimTo(pool, 0));
            s = CudaRuntime.cudaMallocAsync(out, size, stream);
        }
        if (s != 0) {
            throw Status.cudartError("cudaMallocAsync(" + size + " bytes)", s);
        }
        return out.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * Returns a block that {@link #allocate} gave for {@code bytes}: to the small-block cache, or to
     * the pool ordered after the work already issued on the stream.
     */
    void free(long address, long bytes) {
        if (address == 0) {
            return;
        }
        long size = SmallBlockCache.blockSize(bytes);
        if (SmallBlockCache.cacheable(size)) {
            smallBlocks.put(address, size);
        } else {
            freeToPool(address);
        }
    }

    private void freeToPool(long address) {
        makeCurrent();
        int s = CudaRuntime.cudaFreeAsync(MemorySegment.ofAddress(address), stream);
        if (s != 0) {
            throw Status.cudartError("cudaFreeAsync", s);
        }
    }

    /** Device bytes in use by live tensors and scratch (not counting cached free blocks), or held by the pool (reserved). */
    long poolBytes(boolean reserved) {
        makeCurrent();
        MemorySegment out = OUT.get();
        int attr = reserved ? CudaRuntime.cudaMemPoolAttrReservedMemCurrent() : CudaRuntime.cudaMemPoolAttrUsedMemCurrent();
        Status.cudart("cudaMemPoolGetAttribute", () -> CudaRuntime.cudaMemPoolGetAttribute(pool, attr, out));
        long bytes = out.get(ValueLayout.JAVA_LONG, 0);
        return reserved ? bytes : bytes - smallBlocks.cachedBytes();
    }

    /** Device scratch of {@code bytes}, freed (stream-ordered, so after the work that uses it) when closed. */
    Scratch scratch(long bytes) {
        return new Scratch(this, allocate(bytes), bytes);
    }

    /** A temporary device block. */
    record Scratch(CudaContext context, long address, long bytes) implements AutoCloseable {
        @Override
        public void close() {
            context.free(address, bytes);
        }
    }

    void memset(long address, long bytes) {
        if (bytes > 0) {
            Status.cudart("cudaMemsetAsync", () -> CudaRuntime.cudaMemsetAsync(MemorySegment.ofAddress(address), 0, bytes, stream));
        }
    }

    void copyDeviceToDevice(long dst, long src, long bytes) {
        if (bytes > 0) {
            Status.cudart("cudaMemcpyAsync", () -> CudaRuntime.cudaMemcpyAsync(MemorySegment.ofAddress(dst), MemorySegment.ofAddress(src),
                    bytes, CudaRuntime.cudaMemcpyDeviceToDevice(), stream));
        }
    }

    /** host bytes to the device through the pinned buffer, a chunk at a time. */
    synchronized void upload(MemorySegment host, long dst) {
        for (long done = 0; done < host.byteSize(); done += STAGING_BYTES) {
            long n = Math.min(STAGING_BYTES, host.byteSize() - done);
            MemorySegment.copy(host, done, staging, 0, n);
            long at = dst + done;
            Status.cudart("cudaMemcpyAsync", () -> CudaRuntime.cudaMemcpyAsync(MemorySegment.ofAddress(at), staging, n,
                    CudaRuntime.cudaMemcpyHostToDevice(), stream));
            synchronize(); // the pinned buffer is reused by the next chunk
        }
    }

    /** Device bytes to host memory through the pinned buffer; waits for the work before them. */
    synchronized void download(long src, MemorySegment host) {
        for (long done = 0; done < host.byteSize(); done += STAGING_BYTES) {
            long n = Math.min(STAGING_BYTES, host.byteSize() - done);
            long at = src + done;
            Status.cudart("cudaMemcpyAsync", () -> CudaRuntime.cudaMemcpyAsync(staging, MemorySegment.ofAddress(at), n,
                    CudaRuntime.cudaMemcpyDeviceToHost(), stream));
            synchronize();
            MemorySegment.copy(staging, 0, host, done, n);
        }
    }

    /** Waits for everything issued on the stream; a failed kernel surfaces here. */
    void synchronize() {
        Status.cudart("cudaStreamSynchronize", () -> CudaRuntime.cudaStreamSynchronize(stream));
    }

    // ---------------------------------------------------------------- kernels

    /** Blocks for a grid-stride kernel over n elements: enough to fill the GPU, no more. */
    int blocksFor(long n) {
        return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, 32L * multiprocessors));
    }

    /**
     * Blocks for a dense float32 kernel over n floats (elementwise.cu's dense_f32): on large
     * tensors one trip per thread, each thread moving DENSE_UNROLL (4) float4s, which measured
     * faster than a grid-stride loop over fewer blocks (64 Mi floats on an H200: 0.131 against
     * 0.136 ms); on small ones enough blocks to spread over the multiprocessors.
     */
    int blocksForDense(long n) {
        long quads = (n + 3) / 4;
        long oneTripEach = (quads + 4L * THREADS - 1) / (4L * THREADS);
        long spread = Math.min((quads + THREADS - 1) / THREADS, 4L * multiprocessors);
        return (int) Math.max(1, Math.min(Math.max(oneTripEach, spread), Integer.MAX_VALUE));
    }

    /** Blocks for a kernel that runs one block per row (or channel, or output) over {@code rows}. */
    int blocksForRows(long rows) {
        return (int) Math.max(1, Math.min(rows, Integer.MAX_VALUE));
    }

    /** Launches {@code kernel} with {@code blocks} blocks of {@link #THREADS} threads on the stream. */
    void launch(String kernel, int blocks, KernelArgs args) {
        launch(kernel, blocks, 0, args);
    }

    /** The same, with {@code sharedBytes} (at most 48 KiB) of dynamic shared memory per block. */
    void launch(String kernel, int blocks, int sharedBytes, KernelArgs args) {
        if (sharedBytes < 0 || sharedBytes > MAX_DYNAMIC_SHARED_BYTES) {
            throw new IllegalArgumentException(kernel + ": " + sharedBytes + " bytes of dynamic shared memory, outside 0.."
                    + MAX_DYNAMIC_SHARED_BYTES);
        }
        makeCurrent();
        MemorySegment f = functions.get(kernel);
        if (f == null) {
            f = function(kernel);
            functions.put(kernel, f);
        }
        int s = CudaDriver.cuLaunchKernel(f, blocks, 1, 1, THREADS, 1, 1, sharedBytes, stream, args.pointers(), MemorySegment.NULL);
        if (s != 0) {
            throw Status.driverError("cuLaunchKernel(" + kernel + ")", s);
        }
    }

    private MemorySegment function(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Status.driver("cuModuleGetFunction(" + name + ")", () -> CudaDriver.cuModuleGetFunction(out, module, a.allocateFrom(name)));
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }
}
