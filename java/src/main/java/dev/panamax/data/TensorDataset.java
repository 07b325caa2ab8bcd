package dev.panamax.data;

import dev.panamax.tensor.Tensor;

/**
 * A dataset held in two tensors whose first dim indexes the samples: inputs [N, ...] and labels
 * [N] (PyTorch's {@code TensorDataset(inputs, labels)}).
 *
 * <p>The dataset keeps its own references to the tensors' memory, outside any scope: the caller
 * may close the tensors it passed in, and closes the dataset when done with it.
 */
public final class TensorDataset implements Dataset, AutoCloseable {
    private final Tensor inputs;
    private final Tensor labels;

    public TensorDataset(Tensor inputs, Tensor labels) {
        if (inputs.rank() == 0 || labels.rank() == 0) {
            throw new IllegalArgumentException("TensorDataset: inputs " + inputs.describe() + " and labels " + labels.describe()
                    + " must have at least one dim (the sample index)");
        }
        if (inputs.size(0) != labels.size(0)) {
            throw new IllegalArgumentException("TensorDataset: inputs " + inputs.describe() + " hold " + inputs.size(0)
                    + " samples but labels " + labels.describe() + " hold " + labels.size(0));
        }
        if (!inputs.device().equals(labels.device())) {
            throw new IllegalArgumentException("TensorDataset: inputs are on " + inputs.device() + " but labels on " + labels.device());
        }
        this.inputs = inputs.detach().unscoped();
        this.labels = labels.detach().unscoped();
    }

    /** The inputs [N, ...]; owned by the dataset (do not close). */
    public Tensor inputs() {
        return inputs;
    }

    /** The labels [N]; owned by the dataset (do not close). */
    public Tensor labels() {
        return labels;
    }

    @Override
    public long size() {
        return inputs.size(0);
    }

    @Override
    public Sample get(long index) {
        checkIndex("get", index);
        Tensor x = inputs.select(0, index);
        return new Sample(x, labels.select(0, index));
    }

    /** One gather per tensor instead of stacking samples. */
    @Override
    public Batch batch(long[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("TensorDataset.batch: no indices");
        }
        for (long i : indices) {
            checkIndex("batch", i);
        }
        try (Tensor index = Tensor.of(indices, indices.length)) {
            Tensor x = inputs.indexSelect(0, index);
            try {
                return new Batch(x, labels.indexSelect(0, index));
            } catch (RuntimeException e) {
                x.close();
                throw e;
            }
        }
    }

    private void checkIndex(String method, long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("TensorDataset." + method + ": index " + index + " is out of range for "
                    + size() + " samples");
        }
    }

    @Override
    public void close() {
        inputs.close();
        labels.close();
    }
}
