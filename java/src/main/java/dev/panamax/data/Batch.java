package dev.panamax.data;

import dev.panamax.tensor.Tensor;

/**
 * A mini-batch: inputs of shape [B, ...] and labels of shape [B] (INT64 for classification).
 *
 * <p>A batch handed out by a {@link DataLoader} belongs to the caller and to no {@link
 * dev.panamax.tensor.Scope}: close it (try-with-resources) when the step is done. Tensors
 * computed from it inside a scope are freed by that scope as usual.
 */
public record Batch(Tensor inputs, Tensor labels) implements AutoCloseable {
    public Batch {
        if (inputs == null || labels == null) {
            throw new IllegalArgumentException("Batch: inputs and labels must not be null");
        }
        if (inputs.rank() == 0 || labels.rank() == 0 || inputs.size(0) != labels.size(0)) {
            throw new IllegalArgumentException("Batch: inputs " + inputs.describe() + " and labels " + labels.describe()
                    + " must both have the batch size as their first dim");
        }
    }

    /** Number of examples, B. */
    public long size() {
        return inputs.size(0);
    }

    @Override
    public void close() {
        inputs.close();
        labels.close();
    }
}
