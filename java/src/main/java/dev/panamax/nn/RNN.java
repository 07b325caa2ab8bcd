package dev.panamax.nn;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Elman recurrent layers, as {@code torch.nn.RNN}: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), or
 * relu with {@code RecurrentOptions.nonlinearity("relu")}. See {@link RNNBase} for shapes,
 * parameters and variable-length batches.
 */
public final class RNN extends RNNBase {
    public RNN(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, RecurrentOptions.DEFAULT, Generator.global());
    }

    public RNN(long inputSize, long hiddenSize, RecurrentOptions options, Generator gen) {
        super("RNN", mode(options), inputSize, hiddenSize, options, gen);
    }

    private static Recurrence.Mode mode(RecurrentOptions o) {
        return switch (o.nonlinearity()) {
            case "tanh" -> Recurrence.Mode.RNN_TANH;
            case "relu" -> Recurrence.Mode.RNN_RELU;
            default -> throw new IllegalArgumentException("RNN: unknown nonlinearity '" + o.nonlinearity() + "'; select from 'tanh' or 'relu'");
        };
    }

    /** Output and h_n; {@code h0} [layers·directions, batch, hidden] or null for zeros. */
    public RNNOutput forward(Tensor input, Tensor h0) {
        return run(input, h0, null, null);
    }

    /** Output and h_n of a variable-length batch (see {@link RNNBase}); {@code h0} and {@code lengths} may be null. */
    public RNNOutput forward(Tensor input, Tensor h0, long[] lengths) {
        return run(input, h0, null, lengths);
    }
}
