package dev.panamax.backend.cuda;

import dev.panamax.backend.Backend;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CUDA backend of each GPU, made on first use once the libraries have been found and checked.
 * A GPU counts as usable only once its context exists: its stream, handles and Panamax's kernels
 * loaded (a driver may load the libraries yet refuse the fatbin).
 */
public final class CudaBackends {
    private static final Map<Integer, CudaBackend> BACKENDS = new ConcurrentHashMap<>();
    private static final Map<Integer, String> FAILURES = new ConcurrentHashMap<>();

    private CudaBackends() {}

    /**
     * Why GPU {@code index} cannot be used, or an empty string when it can: the missing libraries
     * and where they were looked for, a version mismatch, no such GPU, or the error that setting
     * it up gave.
     */
    public static String unavailableReason(int index) {
        if (BACKENDS.containsKey(index)) {
            return "";
        }
        CudaProbe.Result r = CudaProbe.system();
        if (!r.available()) {
            return r.reason();
        }
        if (index >= r.deviceCount()) {
            return "no CUDA device " + index + ": " + r.deviceCount() + " GPU(s) visible";
        }
        synchronized (CudaBackends.class) {
            if (!BACKENDS.containsKey(index) && !FAILURES.containsKey(index)) {
                try {
                    BACKENDS.put(index, new CudaBackend(new CudaContext(index, r.kernels())));
                } catch (RuntimeException e) {
                    FAILURES.put(index, "setting up GPU " + index + " failed: " + e.getMessage());
                }
            }
        }
        return FAILURES.getOrDefault(index, "");
    }

    /** The libraries, versions and GPUs found (also when the backend is unavailable). */
    public static String describe() {
        return CudaProbe.system().found();
    }

    /**
     * The backend of GPU {@code index}.
     *
     * @throws IllegalStateException with the reason when it cannot be used
     */
    public static Backend get(int index) {
        CudaBackend b = BACKENDS.get(index);
        if (b != null) {
            return b;
        }
        String why = unavailableReason(index);
        if (!why.isEmpty()) {
            throw new IllegalStateException("device cuda:" + index + " is not available: " + why);
        }
        return BACKENDS.get(index);
    }

    /** Waits until every GPU in use has finished the work issued so far (for timing; host reads wait anyway). */
    public static void synchronize() {
        BACKENDS.values().forEach(CudaBackend::synchronize);
    }

    /** Device bytes the pools of the GPUs in use hand out now (0 when none is in use). */
    public static long deviceBytesInUse() {
        return BACKENDS.values().stream().mapToLong(CudaBackend::deviceBytesInUse).sum();
    }
}
