package dev.panamax.bench.worker;

/**
 * One piece of work every peer does on the same inputs: what to compute and with which data, never how.
 * Inputs come from fixed seeds ({@link Inputs}), so workers in different JVMs (and JDKs) build identical
 * ones. This package compiles for Java 17 too: the ND4J worker runs on a JDK 17.
 */
public sealed interface Workload permits GemmWork, Conv2dWork, MaxPool2dWork, BatchNorm2dWork, LeNetStepWork,
        RecurrentWork, AttentionWork, DetectionWorkload {
    /** Stable identifier on the worker's command line, e.g. {@code conv3x3-fwd}. */
    String id();

    /** Row title in the table. */
    String title();

    /** The family {@code --cases} selects it by: gemm, conv, pool, norm, train, seq or det. */
    String family();

    /** Floating-point operations of one run (multiply and add counted apart), or 0 where that count is not meaningful. */
    double flops();

    /** The most timed repetitions worth running (the runner's {@code --reps} is capped by it): fewer for slow whole-model cases. */
    default int maxRepetitions() {
        return Integer.MAX_VALUE;
    }
}
