package dev.panamax.cli;

import dev.panamax.data.TensorDataset;
import dev.panamax.data.datasets.MnistData;
import dev.panamax.tensor.Tensor;
import java.util.Locale;

/**
 * Fashion-MNIST standardised once, up front, with the training split's mean and standard
 * deviation: the inputs {@code train} learns from, and {@code doctor} diagnoses, so that its
 * advice (a learning rate) holds for train's recipe.
 */
record StandardizedMnist(TensorDataset train, TensorDataset test, double mean, double std) implements AutoCloseable {
    static StandardizedMnist of(MnistData raw) {
        Tensor x = raw.train().inputs();
        double mean;
        double std;
        try (Tensor m = x.mean(); Tensor s = x.std()) {
            mean = m.item();
            std = s.item();
        }
        return new StandardizedMnist(Inputs.standardize(raw.train(), mean, std), Inputs.standardize(raw.test(), mean, std), mean, std);
    }

    String description() {
        return String.format(Locale.ROOT, "inputs standardised with the training set's mean %.4f and std %.4f", mean, std);
    }

    @Override
    public void close() {
        train.close();
        test.close();
    }
}
