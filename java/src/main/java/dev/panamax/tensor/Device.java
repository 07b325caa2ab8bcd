package dev.panamax.tensor;

import dev.panamax.backend.Backends;

/**
 * Where a tensor's memory lives: the CPU, or one CUDA GPU.
 *
 * @param type  CPU or CUDA
 * @param index the GPU ordinal (always 0 for the CPU)
 */
public record Device(Type type, int index) {
    /** Kinds of device. */
    public enum Type { CPU, CUDA }

    /** The CPU. */
    public static final Device CPU = new Device(Type.CPU, 0);

    public Device {
        if (type == null) {
            throw new IllegalArgumentException("device type is null");
        }
        if (index < 0 || (type == Type.CPU && index != 0)) {
            throw new IllegalArgumentException("invalid " + type + " device index " + index);
        }
    }

    public static Device cpu() {
        return CPU;
    }

    public static Device cuda(int index) {
        return new Device(Type.CUDA, index);
    }

    /** Parses {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public static Device parse(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("cuda")) {
            return cuda(0);
        }
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("unknown device '" + s + "' (expected cpu, cuda or cuda:N)");
    }

    /** The first CUDA device when its backend is usable, else the CPU; {@link #whyNotCuda()} says why. */
    public static Device best() {
        return Backends.isAvailable(cuda(0)) ? cuda(0) : CPU;
    }

    /** Why the CUDA backend is not usable, or an empty string when it is. */
    public static String whyNotCuda() {
        return Backends.unavailableReason(cuda(0));
    }

    /** PyTorch style: {@code cpu}, {@code cuda:0}. */
    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
