package dev.panamax.tensor;

import dev.panamax.backend.Storage;
import dev.panamax.backend.cpu.CpuBackend;

/**
 * What tensor memory is in use: tests compare two snapshots to prove a loop leaks nothing.
 *
 * @param liveTensors   tensor objects created and not yet closed (views included)
 * @param liveStorages  memory blocks referenced by live tensors
 * @param liveBytes     bytes of those blocks
 * @param pooledBytes   freed CPU bytes kept for reuse (not a leak)
 * @param leakedTensors tensors the garbage collector found unclosed since start-up
 */
public record MemoryStats(long liveTensors, long liveStorages, long liveBytes, long pooledBytes, long leakedTensors) {
    /**
     * The stats after a garbage collection has let the cleaner free every tensor nobody can
     * reach any more (and count it in {@code leakedTensors}). For leak checks: compare two
     * settled snapshots, and both live and leaked counts stay put unless the code in between
     * leaked.
     */
    public static MemoryStats settled() {
        Tensor.collectUnreachable();
        return now();
    }

    public static MemoryStats now() {
        return new MemoryStats(Tensor.liveCount(), Storage.liveCount(), Storage.liveBytes(),
                CpuBackend.instance().pooledBytes(), Tensor.leakCount());
    }
}
