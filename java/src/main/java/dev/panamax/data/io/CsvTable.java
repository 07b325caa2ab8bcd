package dev.panamax.data.io;

import dev.panamax.data.TensorDataset;

/**
 * A CSV file read by {@link Csv}: features float32 [N, F] and labels INT64 [N] in a dataset.
 *
 * @param featureNames the columns of the features, in order
 * @param classes      the class names the labels index, or empty when the label column held integers
 * @param dataset      the rows; closing the table closes it
 */
public record CsvTable(java.util.List<String> featureNames, java.util.List<String> classes, TensorDataset dataset) implements AutoCloseable {
    @Override
    public void close() {
        dataset.close();
    }
}
