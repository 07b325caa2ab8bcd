package dev.panamax.nn;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Long short-term memory layers (Hochreiter &amp; Schmidhuber, 1997), as {@code torch.nn.LSTM}, gates
 * in PyTorch's order i, f, g, o: c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). With {@code
 * projSize} > 0, h' is then projected by {@code weight_hr} [proj_size, hidden_size] (Sak et al.,
 * 2014), and h and the output have proj_size features. See {@link RNNBase} for shapes, parameters
 * and variable-length batches.
 */
public final class LSTM extends RNNBase {
    public LSTM(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, RecurrentOptions.DEFAULT, Generator.global());
    }

    public LSTM(long inputSize, long hiddenSize, RecurrentOptions options, Generator gen) {
        super("LSTM", Recurrence.Mode.LSTM, inputSize, hiddenSize, options, gen);
    }

    /**
     * Output, h_n and c_n.
     *
     * @param h0 [layers·directions, batch, out] (out: proj_size when set, else hidden_size), or null for zeros
     * @param c0 [layers·directions, batch, hidden_size], or null for zeros
     */
    public RNNOutput forward(Tensor input, Tensor h0, Tensor c0) {
        return run(input, h0, c0, null);
    }

    /** Output, h_n and c_n of a variable-length batch (see {@link RNNBase}); h0, c0 and lengths may be null. */
    public RNNOutput forward(Tensor input, Tensor h0, Tensor c0, long[] lengths) {
        return run(input, h0, c0, lengths);
    }
}
