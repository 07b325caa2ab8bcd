package dev.panamax.optim;

import dev.panamax.ops.DeviceTransfer;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an optimizer keeps for one parameter between steps, by PyTorch's names: buffers such as
 * {@code exp_avg} or {@code momentum_buffer}, and numbers such as {@code step}. It owns its
 * tensors and frees them on {@link #close()}.
 */
public final class ParamState implements AutoCloseable {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, Double> scalars = new LinkedHashMap<>();

    /** The buffers, read only. */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** The numbers, read only. */
    public Map<String, Double> scalars() {
        return Collections.unmodifiableMap(scalars);
    }

    /** A buffer, or null when there is none yet. */
    public Tensor tensor(String name) {
        return tensors.get(name);
    }

    /** A number, or {@code absent} when there is none yet. */
    public double scalar(String name, double absent) {
        return scalars.getOrDefault(name, absent);
    }

    /** Stores a buffer, taking ownership (the previous one is freed). Returns it. */
    Tensor put(String name, Tensor t) {
        Tensor old = tensors.put(name, t.unscoped());
        if (old != null && old != t) {
            old.close();
        }
        return t;
    }

    void put(String name, double value) {
        scalars.put(name, value);
    }

    boolean isEmpty() {
        return tensors.isEmpty() && scalars.isEmpty();
    }

    /** A deep copy on {@code device} (its parameter's): new contiguous tensors with the same bits. */
    ParamState copy(Device device) {
        ParamState c = new ParamState();
        tensors.forEach((k, t) -> c.put(k, t.device().equals(device) ? t.contiguousCopy() : DeviceTransfer.copy(t, device)));
        c.scalars.putAll(scalars);
        return c;
    }

    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
        tensors.clear();
        scalars.clear();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ParamState(");
        tensors.forEach((k, t) -> sb.append(k).append('=').append(t.describe()).append(", "));
        scalars.forEach((k, v) -> sb.append(k).append('=').append(v).append(", "));
        return sb.append(')').toString().replace(", )", ")");
    }
}
