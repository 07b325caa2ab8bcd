package dev.panamax.bench.worker;

import java.util.List;
import java.util.Optional;

/** Every workload of the comparison, in table order. */
public final class Workloads {
    private Workloads() {}

    public static final List<Workload> ALL = List.of(
            new GemmWork(256, 1024, 1024),
            new GemmWork(1024, 1024, 1024),
            new GemmWork(2048, 2048, 2048),
            new Conv2dWork("conv3x3-fwd", 8, 64, 56, 56, 64, 3, 1, 1, false),
            new Conv2dWork("conv3x3-fwd-bwd", 8, 64, 56, 56, 64, 3, 1, 1, true),
            new Conv2dWork("conv-stem-fwd", 8, 3, 224, 224, 64, 7, 2, 3, false),
            new Conv2dWork("conv-lenet1-fwd", 32, 1, 28, 28, 6, 5, 1, 2, false),
            new MaxPool2dWork("maxpool3x3", 8, 64, 112, 112, 3, 2, 1),
            new BatchNorm2dWork("batchnorm-train", 8, 64, 56, 56),
            new LeNetStepWork("lenet5-step", 256),
            new RecurrentWork("lstm-fwd", RecurrentWork.Cell.LSTM, 100, 64, 512, 512, false),
            new RecurrentWork("lstm-fwd-bwd", RecurrentWork.Cell.LSTM, 100, 64, 512, 512, true),
            new RecurrentWork("gru-fwd", RecurrentWork.Cell.GRU, 100, 64, 512, 512, false),
            new RecurrentWork("gru-fwd-bwd", RecurrentWork.Cell.GRU, 100, 64, 512, 512, true),
            new AttentionWork("sdpa-fwd", 4, 8, 1024, 64, false),
            new AttentionWork("sdpa-fwd-bwd", 4, 8, 1024, 64, true),
            new NmsWork("nms-1k", 1_000, 0.5f),
            new NmsWork("nms-10k", 10_000, 0.5f),
            new NmsWork("nms-50k", 50_000, 0.5f),
            new RoiAlignWork("roialign-fwd", 512, 256, 50, 50, 7, 2, false),
            new RoiAlignWork("roialign-fwd-bwd", 512, 256, 50, 50, 7, 2, true),
            new FasterRcnnWork("fasterrcnn-r50fpn-800", 800));

    public static Optional<Workload> byId(String id) {
        return ALL.stream().filter(w -> w.id().equals(id)).findFirst();
    }
}
