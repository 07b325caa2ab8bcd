package dev.panamax.backend;

/**
 * The hyperparameters of one fused SGD step ({@link Backend#sgdUpdate}), PyTorch's rule:
 * {@code g = grad + weightDecay·param}; with momentum, {@code buf = firstStep ? g : momentum·buf +
 * (1 - dampening)·g} and {@code g = nesterov ? g + momentum·buf : buf}; then {@code param -= lr·g}.
 *
 * @param firstStep the momentum buffer has no history yet: it is set to g (no dampening), as PyTorch does
 */
public record SgdUpdate(double lr, double weightDecay, double momentum, double dampening, boolean nesterov, boolean firstStep) {}
