package dev.panamax.cli;

import dev.panamax.data.TensorDataset;
import dev.panamax.tensor.Tensor;

/** Input standardisation shared by train, eval and predict, so all three see the same numbers. */
final class Inputs {
    static final String MEAN_KEY = "input_mean";
    static final String STD_KEY = "input_std";

    private Inputs() {}

    /** A copy of {@code d} with inputs (x - mean) / std; labels shared. */
    static TensorDataset standardize(TensorDataset d, double mean, double std) {
        try (Tensor shifted = d.inputs().sub(mean); Tensor scaled = shifted.div(std)) {
            return new TensorDataset(scaled, d.labels()); // the dataset keeps its own views
        }
    }
}
