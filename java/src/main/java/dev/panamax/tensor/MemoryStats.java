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
    public static MemoryStats now() {
        return new MemoryStats(Tensor.liveCount(), Storage.liveCount(), Storage.liveBytes(),
                CpuBackend.instance().pooledBytes(), Tensor.leakCount());
    }
}
