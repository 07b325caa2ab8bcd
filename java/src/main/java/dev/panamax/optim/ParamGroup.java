package dev.panamax.optim;

import dev.panamax.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share optimizer options, as an entry of PyTorch's {@code param_groups}: a
 * list of tensors and options by PyTorch's names ({@code lr}, {@code weight_decay},
 * {@code momentum}, {@code beta1} and {@code beta2} for {@code betas}...). Switches such as
 * {@code nesterov} are stored as 1 or 0.
 *
 * <p>A group given to an optimizer's builder may set some options; the optimizer copies it and
 * fills the rest from its defaults. The optimizer's own groups ({@link Optimizer#paramGroups()})
 * are what schedulers change, e.g. {@code group.set("lr", 0.01)}.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Double> options = new LinkedHashMap<>();

    private ParamGroup(List<Tensor> params) {
        this.params = List.copyOf(params);
    }

    /** A group of these parameters, with every option still to come from the optimizer's defaults. */
    public static ParamGroup of(List<Tensor> params) {
        return new ParamGroup(params);
    }

    /** Sets an option for this group only (fluent). */
    public ParamGroup set(String option, double value) {
        options.put(option, value);
        return this;
    }

    /** Sets the learning rate for this group only (fluent). */
    public ParamGroup lr(double lr) {
        return set("lr", lr);
    }

    public double lr() {
        return get("lr");
    }

    /** The value of an option; throws naming the option when the group has none. */
    public double get(String option) {
        Double v = options.get(option);
        if (v == null) {
            throw new IllegalArgumentException("param group has no option '" + option + "' (it has " + options.keySet() + ")");
        }
        return v;
    }

    /** A switch option (stored as 1 or 0). */
    public boolean flag(String option) {
        return get(option) != 0;
    }

    public boolean has(String option) {
        return options.containsKey(option);
    }

    public List<Tensor> params() {
        return params;
    }

    /** The options, read only. */
    public Map<String, Double> options() {
        return Collections.unmodifiableMap(options);
    }

    /** A group of the same parameters with a copy of the options. */
    ParamGroup copy() {
        ParamGroup g = new ParamGroup(params);
        g.options.putAll(options);
        return g;
    }

    /** Replaces every option (loading a state dict). */
    void replaceOptions(Map<String, Double> newOptions) {
        options.clear();
        options.putAll(newOptions);
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " parameters, " + options + ")";
    }
}
