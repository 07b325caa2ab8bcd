package dev.panamax.optim;

/**
 * Re-evaluates the model for {@link Optimizer#step(LossClosure)}, as PyTorch's {@code closure}:
 * clear the gradients, compute the loss, run backward, and return the loss's value. Optimizers
 * that search along a line (L-BFGS and the rest of the second-order family) call it several times
 * per step; it always runs with grad mode on.
 *
 * <pre>{@code
 * double loss = optimizer.step(() -> {
 *     optimizer.zeroGrad();
 *     try (Scope s = Scope.open()) {
 *         Tensor l = lossOf(model.forward(x), y);
 *         l.backward();
 *         return l.item();
 *     }
 * });
 * }</pre>
 */
@FunctionalInterface
public interface LossClosure {
    double evaluate();
}
