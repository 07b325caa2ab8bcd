package dev.panamax.bench.worker;

/** The {@code det} family: detection work whose cost is not a count of floating-point operations. */
public sealed interface DetectionWorkload extends Workload permits NmsWork, RoiAlignWork, FasterRcnnWork {
    @Override
    default String family() {
        return "det";
    }

    @Override
    default double flops() {
        return 0;
    }
}
