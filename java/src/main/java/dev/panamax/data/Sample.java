package dev.panamax.data;

import dev.panamax.tensor.Tensor;

/**
 * One example of a {@link Dataset}: an input and its label (a 0-d INT64 tensor for
 * classification). The caller of {@link Dataset#get} owns both tensors; closing the sample
 * closes them.
 */
public record Sample(Tensor input, Tensor label) implements AutoCloseable {
    public Sample {
        if (input == null || label == null) {
            throw new IllegalArgumentException("Sample: input and label must not be null");
        }
    }

    /** The label as a number (for class indices). */
    public long classIndex() {
        return (long) label.item();
    }

    @Override
    public void close() {
        input.close();
        label.close();
    }
}
