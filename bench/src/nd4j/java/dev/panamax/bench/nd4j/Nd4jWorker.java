package dev.panamax.bench.nd4j;

import dev.panamax.bench.worker.WorkerMain;
import java.util.Map;

/**
 * The worker JVM for ND4J, which runs on a JDK 17: this class, the worker package and nothing else of the
 * bench module are compiled for Java 17 into target/nd4j-classes when it is built with {@code -Pnd4j}.
 */
public final class Nd4jWorker {
    private Nd4jWorker() {}

    public static void main(String[] args) {
        WorkerMain.run(args, Map.of("nd4j", Nd4jPeer::new));
    }
}
