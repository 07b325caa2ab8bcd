package dev.panamax.bench.compare;

import dev.panamax.bench.worker.WorkerMain;
import java.util.Map;

/** The worker JVM for the peers on the bench jar's own class path: Panamax and OpenBLAS. */
public final class PeerWorker {
    private PeerWorker() {}

    public static void main(String[] args) {
        WorkerMain.run(args, Map.of("panamax", PanamaxPeer::new, "openblas", OpenBlasPeer::open));
    }
}
