package dev.panamax.bench.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.panamax.bench.worker.NmsWork;
import dev.panamax.bench.worker.Peer;
import dev.panamax.bench.worker.RoiAlignWork;
import dev.panamax.bench.worker.Task;
import dev.panamax.bench.worker.Workload;
import java.io.IOException;
import java.io.InputStream;

/**
 * ONNX Runtime's CPU kernels, each workload a one-node model (bench/src/ort/make_models.py) run in a session
 * with {@code threads} intra-op threads and one inter-op thread, sequential execution.
 */
final class OrtPeer implements Peer {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final int threads;

    OrtPeer(int threads) {
        this.threads = threads;
    }

    @Override
    public String description() {
        return "ONNX Runtime " + env.getVersion() + " CPU execution provider, intra-op threads " + threads + ", inter-op 1";
    }

    /** The models fix RoiAlign's attributes: 7×7, 2 samples, half-pixel, scale 1/16, forward only. */
    @Override
    public boolean supports(Workload workload) {
        if (workload instanceof RoiAlignWork r) {
            return !r.backward() && r.output() == 7 && r.samplingRatio() == 2 && RoiAlignWork.SPATIAL_SCALE == 1.0 / 16;
        }
        return workload instanceof NmsWork;
    }

    @Override
    public Task prepare(Workload workload) {
        try {
            if (workload instanceof NmsWork n) {
                return OrtTasks.nms(env, session("nms.onnx"), n);
            }
            return OrtTasks.roiAlign(env, session("roi_align.onnx"), (RoiAlignWork) workload);
        } catch (OrtException | IOException e) {
            throw new IllegalStateException("ONNX Runtime cannot prepare " + workload.title(), e);
        }
    }

    private OrtSession session(String model) throws OrtException, IOException {
        byte[] bytes;
        try (InputStream in = OrtPeer.class.getResourceAsStream(model)) {
            if (in == null) {
                throw new IOException("no model " + model + " next to " + OrtPeer.class.getName() + ": rebuild with -Port");
            }
            bytes = in.readAllBytes();
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            return env.createSession(bytes, options);
        }
    }
}
