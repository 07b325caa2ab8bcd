package dev.panamax.backend;

import dev.panamax.backend.cpu.CpuBackend;
import dev.panamax.backend.cuda.CudaBackends;
import dev.panamax.tensor.Device;

/** Finds the backend for a device and explains why one is unavailable. */
public final class Backends {
    private Backends() {}

    /**
     * The backend for {@code device}.
     *
     * @throws IllegalStateException with the reason when the device cannot be used
     */
    public static Backend get(Device device) {
        if (device.type() == Device.Type.CPU) {
            return CpuBackend.instance();
        }
        return CudaBackends.get(device.index());
    }

    public static boolean isAvailable(Device device) {
        return unavailableReason(device).isEmpty();
    }

    /** Why {@code device} cannot be used, or an empty string when it can. */
    public static String unavailableReason(Device device) {
        return device.type() == Device.Type.CPU ? "" : CudaBackends.unavailableReason(device.index());
    }
}
