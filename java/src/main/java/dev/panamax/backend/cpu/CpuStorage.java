package dev.panamax.backend.cpu;

import dev.panamax.backend.Storage;
import dev.panamax.tensor.Device;
import java.lang.foreign.MemorySegment;

/** Host memory of a CPU tensor: a slice of a pooled native block. */
public final class CpuStorage extends Storage {
    private final CpuMemoryPool pool;
    private final CpuMemoryPool.Block block;
    private final MemorySegment segment;

    CpuStorage(CpuMemoryPool pool, long byteSize) {
        super(Device.CPU, byteSize);
        this.pool = pool;
        this.block = pool.acquire(byteSize);
        this.segment = block.segment().asSlice(0, byteSize);
    }

    /** The memory; valid while the storage is alive. */
    public MemorySegment segment() {
        if (!isAlive()) {
            throw new IllegalStateException("CPU storage of " + byteSize() + " bytes was already freed");
        }
        return segment;
    }

    @Override
    public MemorySegment hostMemory() {
        return segment();
    }

    @Override
    protected void free() {
        pool.release(block);
    }
}
