package dev.panamax.optim;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Base of every optimizer, as {@code torch.optim.Optimizer}: parameter groups with per-group
 * options ({@link #paramGroups()}), per-parameter state, {@link #step()}, {@link #zeroGrad()},
 * and {@link #stateDict()} / {@link #loadStateDict} for resuming a run.
 *
 * <p>Parameters are updated in place under {@link GradMode#noGrad()}, so the tensors a module
 * and its optimizer hold stay the same objects. The optimizer owns its state buffers and frees
 * them on {@link #close()}.
 */
public abstract class Optimizer implements AutoCloseable {
    private final Map<String, Double> defaults;
    private final List<ParamGroup> groups = new ArrayList<>();
    private final Map<Tensor, ParamState> state = new IdentityHashMap<>();

    protected Optimizer(Map<String, Double> defaults, ParamGroup... groups) {
        this.defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        if (groups.length == 0) {
            throw new IllegalArgumentException(name() + ": optimizer got an empty parameter list");
        }
        for (ParamGroup g : groups) {
            addParamGroup(g);
        }
    }

    /** The class name, used in messages and to check {@link #loadStateDict}. */
    public final String name() {
        return getClass().getSimpleName();
    }

    /** The options every group starts from, by PyTorch's names. */
    public Map<String, Double> defaults() {
        return defaults;
    }

    /** The live groups: changing an option here (as schedulers do) takes effect at the next step. */
    public List<ParamGroup> paramGroups() {
        return Collections.unmodifiableList(groups);
    }

    /**
     * Adds a group (PyTorch's {@code add_param_group}): options it does not set come from the
     * defaults. Its parameters must be leaves that require grad and belong to no other group.
     */
    public void addParamGroup(ParamGroup group) {
        int index = groups.size();
        String where = "param group " + index;
        if (group.params().isEmpty()) {
            throw new IllegalArgumentException(name() + ": optimizer got an empty parameter list"
                    + (index > 0 ? " (" + where + ")" : ""));
        }
        for (String option : group.options().keySet()) {
            if (!defaults.containsKey(option)) {
                throw new IllegalArgumentException(name() + ": " + where + " sets an unknown option '" + option
                        + "' (options: " + defaults.keySet() + ")");
            }
        }
        ParamGroup g = group.copy();
        defaults.forEach((k, v) -> {
            if (!g.has(k)) {
                g.set(k, v);
            }
        });
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        groups.forEach(other -> seen.addAll(other.params()));
        for (int j = 0; j < g.params().size(); j++) {
            checkParameter(g.params().get(j), "parameter " + j + " of " + where, seen);
        }
        checkGroup(g, index);
        groups.add(g);
    }

    private void checkParameter(Tensor p, String what, Set<Tensor> seen) {
        if (p == null) {
            throw new IllegalArgumentException(name() + ": " + what + " is null");
        }
        if (!p.requiresGrad()) {
            throw new IllegalArgumentException(name() + ": " + what + " (" + p.describe()
                    + ") does not require grad; only tensors with requiresGrad(true) can be optimized");
        }
        if (!p.isLeaf()) {
            throw new IllegalArgumentException(name() + ": " + what + " (" + p.describe()
                    + ") is not a leaf; optimize the tensor it was computed from");
        }
        if (!seen.add(p)) {
            throw new IllegalArgumentException(name() + ": " + what + " (" + p.describe()
                    + ") appears more than once; some parameters appear in more than one parameter group");
        }
    }

    /** Checks a group's options after defaults were filled in; throws naming the option and value. */
    protected abstract void checkGroup(ParamGroup group, int index);

    /** Fails unless every named option of the group is >= 0 (NaN fails). */
    protected final void requireNonNegative(ParamGroup group, int index, String... options) {
        for (String o : options) {
            if (!(group.get(o) >= 0)) {
                throw invalid(index, o, group.get(o), "must be >= 0");
            }
        }
    }

    /** Fails unless {@code low <= option < high} (or {@code <= high} when {@code highInclusive}). */
    protected final void requireInRange(ParamGroup group, int index, String option, double low, double high, boolean highInclusive) {
        double v = group.get(option);
        if (!(v >= low && (highInclusive ? v <= high : v < high))) {
            throw invalid(index, option, v, "must be in [" + fmt(low) + ", " + fmt(high) + (highInclusive ? "]" : ")"));
        }
    }

    protected final IllegalArgumentException invalid(int index, String option, double value, String rule) {
        return new IllegalArgumentException(name() + ": invalid " + option + " = " + fmt(value) + " in param group " + index + " (" + rule + ")");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Updates every parameter that has a gradient, once. */
    public abstract void step();

    /**
     * Evaluates {@code closure} with grad mode on, then steps; returns the loss it gave. The
     * second-order optimizers need this form and call the closure as often as they need.
     */
    public double step(LossClosure closure) {
        double loss;
        try (GradMode.Guard ignored = GradMode.set(true)) {
            loss = closure.evaluate();
        }
        step();
        return loss;
    }

    /** Frees every parameter's gradient, as PyTorch's default {@code zero_grad(set_to_none=True)}. */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /** With {@code setToNone} false, keeps the gradient tensors and fills them with zeros. */
    public void zeroGrad(boolean setToNone) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            for (ParamGroup g : groups) {
                for (Tensor p : g.params()) {
                    if (setToNone) {
                        p.zeroGrad();
                    } else if (p.grad() != null) {
                        p.grad().zero_();
                    }
                }
            }
        }
    }

    /** The state of a parameter, created empty on first use. */
    protected final ParamState stateOf(Tensor param) {
        return state.computeIfAbsent(param, p -> new ParamState());
    }

    /** Every parameter, through the groups in order: the positions a state dict refers to. */
    protected final List<Tensor> allParams() {
        List<Tensor> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.params()));
        return all;
    }

    /** A snapshot of the group options and the per-parameter state (copies). */
    public OptimizerState stateDict() {
        List<OptimizerState.Group> gs = new ArrayList<>();
        for (ParamGroup g : groups) {
            gs.add(new OptimizerState.Group(new LinkedHashMap<>(g.options()), g.params().stream().map(Tensor::shape).toList()));
        }
        Map<Integer, ParamState> st = new TreeMap<>();
        List<Tensor> params = allParams();
        for (int i = 0; i < params.size(); i++) {
            ParamState s = state.get(params.get(i));
            if (s != null && !s.isEmpty()) {
                st.put(i, s.copy(params.get(i).device()));
            }
        }
        return new OptimizerState(name(), gs, st);
    }

    /**
     * Restores a snapshot from {@link #stateDict()} of an optimizer of the same class over
     * parameters of the same shapes, in the same groups: the group options and the state are
     * replaced by copies of the saved ones. Nothing changes when a check fails.
     *
     * @throws IllegalArgumentException naming the first mismatch (optimizer, group count, group size, shape or state)
     */
    public void loadStateDict(OptimizerState saved) {
        String what = name() + ".loadStateDict: ";
        if (!saved.optimizer().equals(name())) {
            throw new IllegalArgumentException(what + "the state was saved from " + saved.optimizer() + ", not " + name());
        }
        if (saved.paramGroups().size() != groups.size()) {
            throw new IllegalArgumentException(what + "the loaded state has " + saved.paramGroups().size()
                    + " parameter group(s), this optimizer has " + groups.size());
        }
        List<Tensor> params = allParams();
        int position = 0;
        for (int i = 0; i < groups.size(); i++) {
            List<Shape> shapes = saved.paramGroups().get(i).paramShapes();
            List<Tensor> own = groups.get(i).params();
            if (shapes.size() != own.size()) {
                throw new IllegalArgumentException(what + "param group " + i + " has " + shapes.size()
                        + " parameter(s) in the loaded state, " + own.size() + " in this optimizer");
            }
            for (int j = 0; j < own.size(); j++, position++) {
                if (!shapes.get(j).equals(own.get(j).shape())) {
                    throw new IllegalArgumentException(what + "parameter " + j + " of param group " + i + " has shape "
                            + shapes.get(j) + " in the loaded state, " + own.get(j).shape() + " in this optimizer");
                }
            }
        }
        saved.state().forEach((index, s) -> {
            if (index < 0 || index >= params.size()) {
                throw new IllegalArgumentException(what + "the loaded state has an entry for parameter position " + index
                        + ", but this optimizer has " + params.size() + " parameters");
            }
            checkLoadedState(index, params.get(index), s, what);
        });
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).replaceOptions(saved.paramGroups().get(i).options());
        }
        state.values().forEach(ParamState::close);
        state.clear();
        // a checkpoint's state is on the CPU; the update kernels want it beside the parameter
        saved.state().forEach((index, s) -> state.put(params.get(index), s.copy(params.get(index).device())));
    }

    /**
     * Checks the loaded state of the parameter at {@code position}: by default every buffer must
     * have the parameter's shape and dtype.
     */
    protected void checkLoadedState(int position, Tensor param, ParamState loaded, String what) {
        loaded.tensors().forEach((k, t) -> {
            if (!t.shape().equals(param.shape()) || t.dtype() != param.dtype()) {
                throw new IllegalArgumentException(what + "state '" + k + "' of parameter position " + position + " is "
                        + t.describe() + ", but the parameter is " + param.describe());
            }
        });
    }

    /** Frees the state buffers. */
    @Override
    public void close() {
        state.values().forEach(ParamState::close);
        state.clear();
    }

    /**
     * The options an optimizer's builder collects; {@code build} makes the optimizer over a list
     * of parameters (one group) or over groups with their own options.
     */
    public abstract static class Builder<B extends Builder<B, O>, O extends Optimizer> {
        protected final Map<String, Double> defaults = new LinkedHashMap<>();

        protected Builder() {}

        @SuppressWarnings("unchecked")
        protected final B set(String option, double value) {
            defaults.put(option, value);
            return (B) this;
        }

        protected final B set(String option, boolean on) {
            return set(option, on ? 1 : 0);
        }

        public B lr(double lr) {
            return set("lr", lr);
        }

        /** One group holding {@code params}. */
        public O build(List<Tensor> params) {
            return build(ParamGroup.of(params));
        }

        public abstract O build(ParamGroup... groups);
    }
}
