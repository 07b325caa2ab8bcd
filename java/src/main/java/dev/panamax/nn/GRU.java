package dev.panamax.nn;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Gated recurrent unit layers (Cho et al., 2014), as {@code torch.nn.GRU}, gates in PyTorch's
 * order r, z, n: r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h. See {@link RNNBase} for
 * shapes, parameters and variable-length batches.
 */
public final class GRU extends RNNBase {
    public GRU(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, RecurrentOptions.DEFAULT, Generator.global());
    }

    public GRU(long inputSize, long hiddenSize, RecurrentOptions options, Generator gen) {
        super("GRU", Recurrence.Mode.GRU, inputSize, hiddenSize, options, gen);
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
