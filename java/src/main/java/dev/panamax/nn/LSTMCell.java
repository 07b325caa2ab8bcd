package dev.panamax.nn;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** One LSTM step, as {@code torch.nn.LSTMCell} (gate order i, f, g, o; see {@link LSTM}). */
public final class LSTMCell extends RNNCellBase {
    /** PyTorch's {@code (h, c)}; closing it closes both. */
    public record State(Tensor h, Tensor c) implements AutoCloseable {
        @Override
        public void close() {
            h.close();
            c.close();
        }
    }

    public LSTMCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true, Generator.global());
    }

    public LSTMCell(long inputSize, long hiddenSize, boolean bias, Generator gen) {
        super("LSTMCell", Recurrence.Mode.LSTM, inputSize, hiddenSize, bias, gen);
    }

    /** (h', c') from {@code hx} and {@code cx} [batch, hidden] ([hidden] unbatched); either may be null for zeros. */
    public State forward(Tensor input, Tensor hx, Tensor cx) {
        Tensor[] r = step(input, hx, cx);
        return new State(r[0], r[1]);
    }
}
