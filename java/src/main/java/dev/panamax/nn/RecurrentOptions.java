package dev.panamax.nn;

import java.util.Locale;

/**
 * The settings of {@link RNN}, {@link LSTM} and {@link GRU} beyond input and hidden size, PyTorch's
 * defaults (1 layer, bias, time-major, no dropout, one direction, no projection, tanh). Immutable;
 * each wither returns a copy: {@code RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true)}.
 *
 * @param numLayers     stacked layers, each reading the previous one's output
 * @param bias          whether the layers have {@code bias_ih} and {@code bias_hh}
 * @param batchFirst    input and output are [batch, seq, feature] instead of [seq, batch, feature]
 * @param dropout       dropout probability on each layer's output except the last (training only)
 * @param bidirectional a second pass over each sequence from its last step to its first
 * @param projSize      LSTM only: when positive, h is projected to this size by {@code weight_hr}
 * @param nonlinearity  RNN only: {@code "tanh"} or {@code "relu"}
 */
public record RecurrentOptions(int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional,
                               long projSize, String nonlinearity) {
    public static final RecurrentOptions DEFAULT = new RecurrentOptions(1, true, false, 0, false, 0, "tanh");

    public RecurrentOptions {
        if (nonlinearity == null) {
            throw new IllegalArgumentException("RecurrentOptions: nonlinearity must be 'tanh' or 'relu', got null");
        }
        nonlinearity = nonlinearity.toLowerCase(Locale.ROOT);
    }

    public RecurrentOptions numLayers(int n) {
        return new RecurrentOptions(n, bias, batchFirst, dropout, bidirectional, projSize, nonlinearity);
    }

    public RecurrentOptions bias(boolean b) {
        return new RecurrentOptions(numLayers, b, batchFirst, dropout, bidirectional, projSize, nonlinearity);
    }

    public RecurrentOptions batchFirst(boolean b) {
        return new RecurrentOptions(numLayers, bias, b, dropout, bidirectional, projSize, nonlinearity);
    }

    public RecurrentOptions dropout(double p) {
        return new RecurrentOptions(numLayers, bias, batchFirst, p, bidirectional, projSize, nonlinearity);
    }

    public RecurrentOptions bidirectional(boolean b) {
        return new RecurrentOptions(numLayers, bias, batchFirst, dropout, b, projSize, nonlinearity);
    }

    public RecurrentOptions projSize(long p) {
        return new RecurrentOptions(numLayers, bias, batchFirst, dropout, bidirectional, p, nonlinearity);
    }

    public RecurrentOptions nonlinearity(String n) {
        return new RecurrentOptions(numLayers, bias, batchFirst, dropout, bidirectional, projSize, n);
    }
}
