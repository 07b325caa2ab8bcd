package dev.panamax;

import dev.panamax.backend.cpu.Parallel;
import dev.panamax.backend.cuda.CudaBackends;
import dev.panamax.backend.cuda.CudaOptions;
import dev.panamax.tensor.Device;
import java.util.LinkedHashMap;
import java.util.Map;
import jdk.incubator.vector.FloatVector;

/** Library-wide settings and a description of the running environment. */
public final class Panamax {
    private Panamax() {}

    /** The library version (from the jar manifest; "dev" when run from classes). */
    public static String version() {
        String v = Panamax.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Threads the CPU kernels use ({@code panamax.threads}, default: available processors). */
    public static int threads() {
        return Parallel.threads();
    }

    /** Sets the CPU kernel thread count for the whole JVM. */
    public static void setThreads(int n) {
        Parallel.setThreads(n);
    }

    /**
     * Lets float32 matmuls and convolutions on CUDA use TF32 tensor cores (10-bit mantissas, much
     * faster on Ampere and newer), as {@code torch.backends.cuda.matmul.allow_tf32}. Off by default.
     */
    public static void allowTf32(boolean allow) {
        CudaOptions.allowTf32(allow);
    }

    public static boolean allowTf32() {
        return CudaOptions.allowTf32();
    }

    /**
     * Makes CUDA results reproducible bit for bit: deterministic cuDNN algorithms, and index and
     * pooling gradients summed in a fixed order instead of with atomics (slower). Off by default.
     */
    public static void deterministic(boolean on) {
        CudaOptions.deterministic(on);
    }

    public static boolean deterministic() {
        return CudaOptions.deterministic();
    }

    /**
     * Waits until every GPU has finished the work issued so far, as {@code torch.cuda.synchronize()}:
     * CUDA ops return before their kernels finish, so time them across a synchronize. A no-op
     * without a GPU in use.
     */
    public static void synchronize() {
        CudaBackends.synchronize();
    }

    /** What {@code panamax info} prints: version, JDK, vector shape, threads and backends. */
    public static Map<String, String> info() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("panamax", version());
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " processors");
        var species = FloatVector.SPECIES_PREFERRED;
        m.put("vector species", species.vectorBitSize() + "-bit, " + species.length() + " float lanes");
        m.put("cpu threads", threads() + " (set with -Dpanamax.threads=N or --threads N)");
        m.put("backend cpu", "available");
        String cuda = Device.whyNotCuda();
        m.put("backend cuda", cuda.isEmpty() ? "available" : "not available: " + cuda);
        m.put("cuda found", CudaBackends.describe().isEmpty() ? "nothing" : CudaBackends.describe());
        m.put("default device", Device.best().toString());
        return m;
    }
}
