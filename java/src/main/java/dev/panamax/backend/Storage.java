package dev.panamax.backend;

import dev.panamax.tensor.Device;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A block of device memory shared by every tensor that views it. Reference counted: each tensor
 * holds one reference, and the memory goes back to its allocator when the last one is released.
 */
public abstract class Storage {
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_COUNT = new AtomicLong();

    private final Device device;
    private final long byteSize;
    private final AtomicInteger refs = new AtomicInteger(1);

    protected Storage(Device device, long byteSize) {
        this.device = device;
        this.byteSize = byteSize;
        LIVE_BYTES.addAndGet(byteSize);
        LIVE_COUNT.incrementAndGet();
    }

    public final Device device() {
        return device;
    }

    public final long byteSize() {
        return byteSize;
    }

    /** The bytes as host memory when this storage lives there (the CPU's), else null. */
    public MemorySegment hostMemory() {
        return null;
    }

    /** True until the last reference is released. */
    public final boolean isAlive() {
        return refs.get() > 0;
    }

    /** Adds a reference. */
    public final void retain() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                throw new IllegalStateException("storage of " + byteSize + " bytes on " + device + " was already freed");
            }
            if (refs.compareAndSet(r, r + 1)) {
                return;
            }
        }
    }

    /** Drops a reference; the last one frees the memory. */
    public final void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            LIVE_BYTES.addAndGet(-byteSize);
            LIVE_COUNT.decrementAndGet();
            free();
        } else if (r < 0) {
            throw new IllegalStateException("storage released more often than retained");
        }
    }

    /** True when exactly one tensor references this storage (an in-place write cannot be seen elsewhere). */
    public final boolean isExclusive() {
        return refs.get() == 1;
    }

    /** Returns the memory to its allocator. Called once, by the last {@link #release()}. */
    protected abstract void free();

    /** Bytes held by live storages on every device. */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /** Number of live storages on every device. */
    public static long liveCount() {
        return LIVE_COUNT.get();
    }
}
