package dev.panamax.nn;

import dev.panamax.tensor.Tensor;

/**
 * What a recurrent layer returns: PyTorch's {@code (output, h_n)} or {@code (output, (h_n, c_n))}.
 * Closing it closes all three.
 *
 * @param output the last layer's h at every step: [seq, batch, directions·out] ([batch, seq, ...]
 *               with batch-first; [seq, ...] for an unbatched input), zero past a sequence's length
 * @param hN     every layer's and direction's final h: [layers·directions, batch, out]
 * @param cN     LSTM only (else null): the final cell states, [layers·directions, batch, hidden]
 */
public record RNNOutput(Tensor output, Tensor hN, Tensor cN) implements AutoCloseable {
    @Override
    public void close() {
        output.close();
        hN.close();
        if (cN != null) {
            cN.close();
        }
    }
}
