package dev.panamax.data.datasets;

import dev.panamax.data.TensorDataset;
import java.nio.file.Path;

/**
 * The training and test splits of an MNIST-family data set: images float32 [N, 1, H, W] scaled
 * to [0, 1], labels INT64 [N]. Owns both datasets; close it when done.
 *
 * @param train       the training split
 * @param test        the test split
 * @param directory   where the files were read from
 * @param isSample    true for the embedded sample rather than the full set
 * @param description one line saying what was loaded from where (and why, for the sample)
 */
public record MnistData(TensorDataset train, TensorDataset test, Path directory, boolean isSample, String description)
        implements AutoCloseable {
    @Override
    public void close() {
        train.close();
        test.close();
    }
}
