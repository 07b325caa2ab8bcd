package dev.panamax.bench.djl;

import dev.panamax.bench.worker.WorkerMain;
import java.util.Map;

/** The worker JVM for DJL; on the class path only when the bench module was built with {@code -Pdjl}. */
public final class DjlWorker {
    private DjlWorker() {}

    public static void main(String[] args) {
        WorkerMain.run(args, Map.of("djl", DjlPeer::new));
    }
}
