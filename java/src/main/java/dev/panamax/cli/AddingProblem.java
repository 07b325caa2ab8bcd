package dev.panamax.cli;

import dev.panamax.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The adding problem (Hochreiter &amp; Schmidhuber, 1997): each step has two input channels, a value
 * uniform in [0, 1) and a marker that is 1 at exactly two steps (one in each half of the sequence)
 * and 0 elsewhere; the target is the sum of the two marked values. Predicting the mean, 1.0, scores
 * an MSE of 1/6 ≈ 0.167 (the variance of a sum of two uniforms), the baseline a model must beat.
 *
 * @param inputs  [length, batch, 2], time-major as the recurrent layers take it
 * @param targets [batch]
 */
record AddingProblem(Tensor inputs, Tensor targets) implements AutoCloseable {
    /** The MSE of always predicting 1.0. */
    static final double BASELINE_MSE = 1.0 / 6;

    static AddingProblem sample(int length, int batch, SplittableRandom rng) {
        if (length < 2) {
            throw new IllegalArgumentException("adding problem: the sequence length must be at least 2, got " + length);
        }
        float[] x = new float[length * batch * 2];
        float[] y = new float[batch];
        int half = length / 2;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                x[(t * batch + b) * 2] = (float) rng.nextDouble();
            }
            int first = rng.nextInt(half);
            int second = half + rng.nextInt(length - half);
            x[(first * batch + b) * 2 + 1] = 1;
            x[(second * batch + b) * 2 + 1] = 1;
            y[b] = x[(first * batch + b) * 2] + x[(second * batch + b) * 2];
        }
        return new AddingProblem(Tensor.of(x, length, batch, 2), Tensor.of(y, batch));
    }

    @Override
    public void close() {
        inputs.close();
        targets.close();
    }
}
