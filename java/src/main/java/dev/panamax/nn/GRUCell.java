package dev.panamax.nn;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** One GRU step, as {@code torch.nn.GRUCell} (gate order r, z, n; see {@link GRU}). */
public final class GRUCell extends RNNCellBase {
    public GRUCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true, Generator.global());
    }

    public GRUCell(long inputSize, long hiddenSize, boolean bias, Generator gen) {
        super("GRUCell", Recurrence.Mode.GRU, inputSize, hiddenSize, bias, gen);
    }

    /** h' from {@code hx} [batch, hidden] ([hidden] unbatched), or from zeros when null. */
    public Tensor forward(Tensor input, Tensor hx) {
        return step(input, hx, null)[0];
    }
}
