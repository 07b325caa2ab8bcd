package dev.panamax.optim.schedule;

import java.util.Collections;
import java.util.Map;

/**
 * A snapshot of a learning-rate scheduler for checkpoints: its counters and remembered rates by
 * PyTorch's attribute names ({@code last_epoch}, {@code base_lrs.0}, ...).
 *
 * @param scheduler the scheduler's class name, checked on load
 */
public record SchedulerState(String scheduler, Map<String, Double> values) {
    public SchedulerState {
        values = Collections.unmodifiableMap(values);
    }

    /** A value; throws naming the key when absent. */
    public double get(String key) {
        Double v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(scheduler + " state has no '" + key + "' (it has " + values.keySet() + ")");
        }
        return v;
    }
}
