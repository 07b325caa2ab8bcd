package dev.panamax.data;

import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A random-access collection of samples, like PyTorch's map-style {@code Dataset}.
 * Implementations must be safe to read from several threads at once: a {@link DataLoader}
 * builds batches on its own threads.
 */
public interface Dataset {
    /** Number of samples ({@code len(dataset)}). */
    long size();

    /** Sample {@code index} (0 to size - 1); the caller closes it. */
    Sample get(long index);

    /**
     * The samples at {@code indices} stacked into a batch: inputs [B, ...], labels [B]. The
     * default stacks {@link #get} results; datasets held in tensors override it with one gather.
     */
    default Batch batch(long[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("batch: no indices");
        }
        List<Tensor> inputs = new ArrayList<>(indices.length);
        List<Tensor> labels = new ArrayList<>(indices.length);
        try {
            for (long i : indices) {
                Sample s = get(i);
                inputs.add(s.input());
                labels.add(s.label());
            }
            Tensor x = Tensor.stack(inputs, 0);
            try {
                return new Batch(x, Tensor.stack(labels, 0));
            } catch (RuntimeException e) {
                x.close();
                throw e;
            }
        } finally {
            inputs.forEach(Tensor::close);
            labels.forEach(Tensor::close);
        }
    }
}
