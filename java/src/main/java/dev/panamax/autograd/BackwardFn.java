package dev.panamax.autograd;

import dev.panamax.tensor.Tensor;

/**
 * The backward rule of one op application: from the gradient of the op's output, the gradients
 * of its inputs (one per input, in order; null where {@code needsGrad[i]} is false or the input
 * gets no gradient).
 */
@FunctionalInterface
public interface BackwardFn {
    Tensor[] apply(Tensor gradOutput, boolean[] needsGrad);
}
