package dev.panamax.bench.compare;

import dev.panamax.backend.cpu.Parallel;
import dev.panamax.backend.cpu.gemm.Sgemm;
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
import jdk.incubator.vector.FloatVector;

/** Panamax's own CPU kernels: SGEMM directly, everything else through the public ops API
 * and the recurrent layers of {@code dev.panamax.nn}. */
final class PanamaxPeer implements Peer {
    PanamaxPeer(int threads) {
        Parallel.setThreads(threads);
    }

    @Override
    public String description() {
        return "Panamax: Java " + Runtime.version() + ", Vector API " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                + "-bit preferred species";
    }

    @Override
    public boolean supports(Workload workload) {
        return true;
    }

    @Override
    public Task prepare(Workload workload) {
        return switch (workload) {
            case GemmWork g -> new GemmTask(g, (m, n, k, a, b, c) -> Sgemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, 1));
            case Conv2dWork c -> PanamaxTasks.conv2d(c);
            case MaxPool2dWork p -> PanamaxTasks.maxPool2d(p);
            case BatchNorm2dWork b -> PanamaxTasks.batchNorm2d(b);
            case LeNetStepWork l -> new PanamaxLeNetStep(l);
            case RecurrentWork r -> PanamaxSeqTasks.recurrent(r);
            case AttentionWork a -> PanamaxSeqTasks.attention(a);
            case NmsWork n -> PanamaxDetTasks.nms(n);
            case RoiAlignWork r -> PanamaxDetTasks.roiAlign(r);
            case FasterRcnnWork f -> PanamaxDetTasks.fasterRcnn(f);
        };
    }
}
