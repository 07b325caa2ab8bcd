package dev.panamax.backend.cuda;

import dev.panamax.backend.Backend;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The CUDA backend of each GPU, made on first use once the libraries have been found and checked. */
public final class CudaBackends {
    private static final Map<Integer, CudaBackend> BACKENDS = new ConcurrentHashMap<>();

    private CudaBackends() {}

    /**
     * Why GPU {@code index} cannot be used, or an empty string when it can: the missing libraries
     * and where they were looked for, a version mismatch, or no such GPU.
     */
    public static String unavailableReason(int index) {
        CudaProbe.Result r = CudaProbe.system();
        if (!r.available()) {
            return r.reason();
        }
        if (index >= r.deviceCount()) {
            return "no CUDA device " + index + ": " + r.deviceCount() + " GPU(s) visible";
        }
        return "";
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
        return BACKENDS.computeIfAbsent(index, i -> new CudaBackend(new CudaContext(i, CudaProbe.system().kernels())));
    }

    /** Device bytes the pools of the GPUs in use hand out now (0 when none is in use). */
    public static long deviceBytesInUse() {
        return BACKENDS.values().stream().mapToLong(CudaBackend::deviceBytesInUse).sum();
    }
}
