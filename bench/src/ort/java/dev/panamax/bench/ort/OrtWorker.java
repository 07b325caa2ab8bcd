package dev.panamax.bench.ort;

import dev.panamax.bench.worker.WorkerMain;
import java.util.Map;

/** The worker JVM for ONNX Runtime; on the class path only when the bench module was built with {@code -Port}. */
public final class OrtWorker {
    private OrtWorker() {}

    public static void main(String[] args) {
        WorkerMain.run(args, Map.of("ort", OrtPeer::new));
    }
}
