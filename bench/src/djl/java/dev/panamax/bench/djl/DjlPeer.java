package dev.panamax.bench.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import dev.panamax.bench.worker.AttentionWork;
import dev.panamax.bench.worker.BatchNorm2dWork;
import dev.panamax.bench.worker.Conv2dWork;
import dev.panamax.bench.worker.FasterRcnnWork;
import dev.panamax.bench.worker.GemmWork;
import dev.panamax.bench.worker.LeNetStepWork;
import dev.panamax.bench.worker.MaxPool2dWork;
import dev.panamax.bench.worker.NmsWork;
import dev.panamax.bench.worker.Peer;
import dev.panamax.bench.worker.RecurrentWork;
import dev.panamax.bench.worker.RoiAlignWork;
import dev.panamax.bench.worker.Task;
import dev.panamax.bench.worker.Workload;

/**
 * DJL on PyTorch's CPU build (libtorch: MKL for matrix products, oneDNN for convolution, OpenMP threads).
 * libtorch reads its thread count once, when the engine loads, from the system properties the runner sets
 * on this JVM's command line; this peer checks that it got the count it was asked for.
 */
final class DjlPeer implements Peer {
    private final Engine engine;
    private final NDManager manager;

    DjlPeer(int threads) {
        String configured = System.getProperty("ai.djl.pytorch.num_threads");
        if (!Integer.toString(threads).equals(configured)) {
            throw new IllegalStateException("DJL takes its thread count at start-up: run this worker with -Dai.djl.pytorch.num_threads="
                    + threads + " (it has " + configured + ")");
        }
        engine = Engine.getEngine("PyTorch");
        if (JniUtils.getNumThreads() != threads) {
            throw new IllegalStateException("libtorch runs " + JniUtils.getNumThreads() + " threads, not " + threads);
        }
        manager = engine.newBaseManager(Device.cpu());
    }

    @Override
    public String description() {
        return "DJL " + Engine.getDjlVersion() + " on PyTorch " + engine.getVersion() + " CPU (" + LibUtils.getLibtorchPath()
                + "), inter-op threads " + JniUtils.getNumInteropThreads() + ", offline " + Boolean.getBoolean("ai.djl.offline");
    }

    @Override
    public boolean supports(Workload workload) {
        return !(workload instanceof NmsWork || workload instanceof RoiAlignWork || workload instanceof FasterRcnnWork); // torchvision's ops are not in libtorch
    }

    @Override
    public Task prepare(Workload workload) {
        return switch (workload) {
            case GemmWork g -> DjlTasks.matMul(manager, g);
            case Conv2dWork c -> DjlTasks.conv2d(manager, engine, c);
            case MaxPool2dWork p -> DjlTasks.maxPool2d(manager, p);
            case BatchNorm2dWork b -> DjlTasks.batchNorm2d(manager, b);
            case LeNetStepWork l -> new DjlLeNetStep(manager, engine, l);
            case RecurrentWork r -> DjlSeqTasks.recurrent(manager, engine, r);
            case AttentionWork a -> DjlSeqTasks.attention(manager, engine, a);
            case NmsWork n -> throw new IllegalArgumentException("DJL has no nms: " + n.title());
            case RoiAlignWork r -> throw new IllegalArgumentException("DJL has no roiAlign: " + r.title());
            case FasterRcnnWork f -> throw new IllegalArgumentException("DJL has no Faster R-CNN: " + f.title());
        };
    }

    @Override
    public void close() {
        manager.close();
    }
}
