package dev.panamax.nn;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A layer or a network, as {@code torch.nn.Module}: named parameters and buffers, child
 * modules, train/eval mode, and a state dict with PyTorch's key names. A module owns its
 * parameters and buffers and frees them on {@link #close()}.
 *
 * <p>Threads may run {@code forward} of one module in evaluation mode at once; changing it (a
 * training step, {@link #train()}, {@link #eval()}, {@link #to(Device)}, {@link #loadStateDict}) while
 * another thread uses it is not safe.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The module's computation. */
    public abstract Tensor forward(Tensor input);

    /** Registers a learnable tensor: it becomes a leaf requiring grad, owned by this module. */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        Tensor p = value.unscoped().requiresGrad(true).name(name);
        parameters.put(name, p);
        return p;
    }

    /** Registers state that is saved and loaded but not learned (running statistics...). */
    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        Tensor b = value.unscoped().name(name);
        buffers.put(name, b);
        return b;
    }

    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid member name '" + name + "' (non-empty, no dots)");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has a member named '" + name + "'");
        }
    }

    /** Child modules in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module and all its descendants, depth first in registration order (PyTorch's {@code modules()}). */
    public List<Module> modules() {
        List<Module> out = new ArrayList<>();
        out.add(this);
        children.values().forEach(c -> out.addAll(c.modules()));
        return out;
    }

    /** Every parameter of this module and its descendants, with dotted names, in registration order. */
    public List<Parameter> namedParameters() {
        List<Parameter> out = new ArrayList<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, List<Parameter> out) {
        parameters.forEach((n, t) -> out.add(new Parameter(prefix + n, t)));
        children.forEach((n, m) -> m.collect(prefix + n + ".", out));
    }

    /** The parameter tensors (what an optimizer updates). */
    public List<Tensor> parameters() {
        return namedParameters().stream().map(Parameter::tensor).toList();
    }

    /** Total number of learnable elements. */
    public long parameterCount() {
        return parameters().stream().mapToLong(Tensor::numel).sum();
    }

    /** Parameters and buffers by dotted name (PyTorch's state_dict keys); the tensors are the module's own. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, t) -> out.put(prefix + n, t));
        buffers.forEach((n, t) -> out.put(prefix + n, t));
        children.forEach((n, m) -> m.collectState(prefix + n + ".", out));
    }

    /**
     * Copies values into this module's parameters and buffers (converting dtype). With
     * {@code strict}, missing and unexpected keys are errors; shapes must always match.
     *
     * @throws IllegalArgumentException listing every missing or unexpected key and every shape mismatch
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(own.keySet());
        if (strict && !missing.isEmpty()) {
            problems.add("missing keys " + missing);
        }
        if (strict && !unexpected.isEmpty()) {
            problems.add("unexpected keys " + unexpected);
        }
        own.forEach((k, t) -> {
            Tensor v = state.get(k);
            if (v != null && !v.shape().equals(t.shape())) {
                problems.add("size mismatch for " + k + ": the checkpoint has " + v.shape() + ", this module " + t.shape());
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict into " + getClass().getSimpleName() + ": " + String.join("; ", problems));
        }
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            own.forEach((k, t) -> {
                Tensor v = state.get(k);
                if (v != null) {
                    t.copy_(v);
                }
            });
        }
    }

    /**
     * Moves every parameter and buffer of this module and its descendants to {@code device} in
     * place (PyTorch's {@code module.to(device)}): layers and optimizers keep the same tensor
     * objects, now on the device, with their gradients. Tensors already there stay as they are.
     * Move before training, as in PyTorch: an optimizer creates its state beside the parameters
     * at its first step, and state it already has stays where it is.
     *
     * @return this module
     * @throws IllegalStateException naming the first tensor that cannot move in place (see {@link
     *     Tensor#moveTo}); those before it have moved
     */
    public Module to(Device device) {
        stateDict().forEach((key, t) -> {
            try {
                t.moveTo(device);
            } catch (IllegalStateException e) {
                // the tensor knows only its own name, not where it sits in the module tree
                throw new IllegalStateException(getClass().getSimpleName() + ".to(" + device + "): " + key + ": " + e.getMessage(), e);
            }
        });
        modules().forEach(m -> m.moved(device));
        return this;
    }

    /**
     * Called on this module and each descendant once {@link #to} has moved their tensors, so a layer
     * can drop what it derived from them on the old device (a recurrent layer's weight space).
     */
    protected void moved(Device device) {}

    /** The device of the first parameter (or buffer), the CPU for a module with neither. */
    public Device device() {
        return stateDict().values().stream().findFirst().map(Tensor::device).orElse(Device.CPU);
    }

    /** Training mode for this module and its descendants (dropout active, batch statistics). */
    public Module train() {
        return train(true);
    }

    public Module train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        return this;
    }

    /** Evaluation mode: {@code train(false)}. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Frees every parameter's gradient. */
    public void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }

    /** Frees parameters, buffers and children. */
    @Override
    public void close() {
        parameters.values().forEach(Tensor::close);
        buffers.values().forEach(Tensor::close);
        children.values().forEach(Module::close);
    }

    /** The layer's own settings for {@link #toString()}, e.g. {@code in_features=400, out_features=120}. */
    protected String extraRepr() {
        return "";
    }

    /**
     * The modules an input pixel passes through, in order, for {@link ReceptiveField}: by default the
     * children in registration order. Blocks whose children are not a chain (residual and Inception
     * blocks, networks with auxiliary heads) return their longest path instead.
     */
    protected List<Module> receptivePath() {
        return List.copyOf(children.values());
    }

    /** The class name in the printout; modules that stand for several PyTorch classes override it. */
    protected String typeName() {
        return getClass().getSimpleName();
    }

    /** PyTorch's printed form: the module tree with each layer's settings. */
    @Override
    public String toString() {
        String head = typeName() + "(" + extraRepr();
        if (children.isEmpty()) {
            return head + ")";
        }
        StringBuilder sb = new StringBuilder(head).append('\n');
        children.forEach((n, m) -> sb.append("  (").append(n).append("): ")
                .append(m.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }

    /** Checks an input's rank for a layer (message names the layer and the shape). */
    protected static void requireRank(String layer, Tensor x, int... ranks) {
        for (int r : ranks) {
            if (x.rank() == r) {
                return;
            }
        }
        throw new IllegalArgumentException(layer + ": expected input of rank " + java.util.Arrays.toString(ranks) + ", got shape " + x.shape());
    }
}
