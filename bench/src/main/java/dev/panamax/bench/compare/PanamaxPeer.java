package dev.panamax.bench.compare;

import dev.panamax.backend.cpu.Parallel;
import dev.panamax.backend.cpu.gemm.Sgemm;
import java.util.Optional;
import jdk.incubator.vector.FloatVector;

/** Panamax's own CPU kernels. */
final class PanamaxPeer implements Peer {
    @Override
    public String name() {
        return "Panamax";
    }

    @Override
    public String description() {
        return "Panamax: Java " + Runtime.version() + ", Vector API " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                + "-bit preferred species";
    }

    @Override
    public void setThreads(int threads) {
        Parallel.setThreads(threads);
    }

    @Override
    public Optional<GemmKernel> gemm() {
        return Optional.of((m, n, k, a, b, c) -> Sgemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, 1));
    }
}
