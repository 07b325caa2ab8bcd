package dev.panamax.backend.cuda;

/** JVM-wide choices of the CUDA backend, set through {@code dev.panamax.Panamax}. */
public final class CudaOptions {
    private static volatile boolean allowTf32;
    private static volatile boolean deterministic;

    private CudaOptions() {}

    /** Whether float32 matmuls and convolutions may use TF32 tensor cores (10-bit mantissas); off by default. */
    public static boolean allowTf32() {
        return allowTf32;
    }

    public static void allowTf32(boolean allow) {
        allowTf32 = allow;
    }

    /**
     * Whether every kernel must give the same bits on every run: deterministic cuDNN algorithms,
     * and index and pooling adds in a fixed order instead of atomics. Off by default.
     */
    public static boolean deterministic() {
        return deterministic;
    }

    public static void deterministic(boolean on) {
        deterministic = on;
    }
}
