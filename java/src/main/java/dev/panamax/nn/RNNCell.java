package dev.panamax.nn;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** One Elman step, as {@code torch.nn.RNNCell}: h' = tanh (or relu)(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
public final class RNNCell extends RNNCellBase {
    public RNNCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true, "tanh", Generator.global());
    }

    /** @param nonlinearity {@code "tanh"} or {@code "relu"} */
    public RNNCell(long inputSize, long hiddenSize, boolean bias, String nonlinearity, Generator gen) {
        super("RNNCell", mode(nonlinearity), inputSize, hiddenSize, bias, gen);
    }

    private static Recurrence.Mode mode(String nonlinearity) {
        return switch (nonlinearity) {
            case "tanh" -> Recurrence.Mode.RNN_TANH;
            case "relu" -> Recurrence.Mode.RNN_RELU;
            default -> throw new IllegalArgumentException("RNNCell: unknown nonlinearity '" + nonlinearity + "'; select from 'tanh' or 'relu'");
        };
    }

    /** h' from {@code hx} [batch, hidden] ([hidden] unbatched), or from zeros when null. */
    public Tensor forward(Tensor input, Tensor hx) {
        return step(input, hx, null)[0];
    }
}
