package dev.panamax.backend;

import dev.panamax.tensor.DType;

/**
 * A stack of recurrent layers as {@link FusedRecurrence} runs it whole: PyTorch's RNN (tanh or
 * ReLU), LSTM (with an optional projection of h) or GRU, {@code numLayers} deep, one or two
 * directions, with both biases or none, in one float dtype. Its parameters are PyTorch's, in
 * PyTorch's flat order ({@code _flat_weights}): per layer, per direction, weight_ih [gates·H, in],
 * weight_hh [gates·H, out], then bias_ih and bias_hh [gates·H] with {@code bias}, then weight_hr
 * [proj, H] with a projection; gate blocks in PyTorch's order (LSTM i, f, g, o; GRU r, z, n).
 */
public record RecurrentSpec(Cell cell, long inputSize, long hiddenSize, long projSize, int numLayers, boolean bidirectional,
                            boolean bias, DType dtype) {
    /** The cell of every layer, with its number of gate blocks. */
    public enum Cell {
        RNN_TANH(1), RNN_RELU(1), LSTM(4), GRU(3);

        private final int gates;

        Cell(int gates) {
            this.gates = gates;
        }

        public int gates() {
            return gates;
        }
    }

    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /** The size of h: the projection size when there is one, else the hidden size. */
    public long outSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    /** weight_ih, weight_hh, [bias_ih, bias_hh], [weight_hr]. */
    public int weightsPerDirection() {
        return 2 + (bias ? 2 : 0) + (projSize > 0 ? 1 : 0);
    }

    /** The input size of {@code layer}: the stack's input for the first, the directions' outputs side by side above it. */
    public long layerInputSize(int layer) {
        return layer == 0 ? inputSize : outSize() * directions();
    }
}
