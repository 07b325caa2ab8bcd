package dev.panamax.nn;

import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/**
 * A loss as a module (PyTorch's {@code _Loss}): {@link #forward(Tensor, Tensor)} compares an
 * input with a target and reduces as configured. Class weights, where a loss has them, are
 * buffers named as PyTorch's ({@code weight}, {@code pos_weight}), so they appear in the state dict.
 */
public abstract class LossModule extends Module {
    private final LossReduction reduction;

    protected LossModule(LossReduction reduction) {
        this.reduction = reduction;
    }

    public LossReduction reduction() {
        return reduction;
    }

    /** The loss of {@code input} against {@code target}. */
    public abstract Tensor forward(Tensor input, Tensor target);

    /** Always fails: a loss needs a target. */
    @Override
    public final Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + ": a loss needs a target; call forward(input, target)");
    }

    /** Registers an optional weight tensor as a buffer (a view: the caller keeps its own tensor); null stays null. */
    protected Tensor weightBuffer(String name, Tensor weight) {
        return weight == null ? null : registerBuffer(name, weight.detach());
    }
}
