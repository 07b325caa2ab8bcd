package dev.panamax.nn;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * One step of a recurrent layer, as PyTorch's {@code RNNCellBase}: {@link RNNCell}, {@link
 * LSTMCell}, {@link GRUCell}. Parameters {@code weight_ih} [gates·hidden, input], {@code weight_hh}
 * [gates·hidden, hidden], {@code bias_ih}, {@code bias_hh} [gates·hidden], uniform in ±1/√hidden.
 * Inputs are [batch, input_size] or unbatched [input_size]; states [batch, hidden] or [hidden].
 */
public abstract class RNNCellBase extends Module {
    private final String layer;
    private final Recurrence.Mode mode;
    private final long inputSize;
    private final long hiddenSize;
    private final Tensor weightIh;
    private final Tensor weightHh;
    private final Tensor biasIh;
    private final Tensor biasHh;

    RNNCellBase(String layer, Recurrence.Mode mode, long inputSize, long hiddenSize, boolean bias, Generator gen) {
        LayerChecks.positive(layer, "input_size", inputSize);
        LayerChecks.positive(layer, "hidden_size", hiddenSize);
        this.layer = layer;
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        long gates = mode.gates * hiddenSize;
        weightIh = registerParameter("weight_ih", Tensor.empty(DType.FLOAT32, gates, inputSize));
        weightHh = registerParameter("weight_hh", Tensor.empty(DType.FLOAT32, gates, hiddenSize));
        biasIh = bias ? registerParameter("bias_ih", Tensor.empty(DType.FLOAT32, gates)) : null;
        biasHh = bias ? registerParameter("bias_hh", Tensor.empty(DType.FLOAT32, gates)) : null;
        double bound = 1 / Math.sqrt(hiddenSize);
        parameters().forEach(p -> Init.uniform_(p, -bound, bound, gen));
    }

    public long inputSize() {
        return inputSize;
    }

    public long hiddenSize() {
        return hiddenSize;
    }

    public Tensor weightIh() {
        return weightIh;
    }

    public Tensor weightHh() {
        return weightHh;
    }

    public Tensor biasIh() {
        return biasIh;
    }

    public Tensor biasHh() {
        return biasHh;
    }

    /** The new h from zero state (for the LSTM cell, its c is freed). */
    @Override
    public Tensor forward(Tensor input) {
        Tensor[] r = step(input, null, null);
        if (r[1] != null) {
            r[1].close();
        }
        return r[0];
    }

    /** Checks the arguments and runs one step; returns {h', c'} (c' null but for the LSTM cell). hx and cx may be null (zeros). */
    Tensor[] step(Tensor input, Tensor hx, Tensor cx) {
        if (input.rank() != 1 && input.rank() != 2) {
            throw new IllegalArgumentException(layer + ": expected input of rank 1 (unbatched) or 2 (batched), got shape " + input.shape());
        }
        if (input.size(-1) != inputSize) {
            throw new IllegalArgumentException(layer + ": input.size(-1) must be equal to input_size " + inputSize + ", got " + input.size(-1)
                    + " (input shape " + input.shape() + ")");
        }
        if (input.dtype() != weightIh.dtype()) {
            throw new IllegalArgumentException(layer + ": input is " + input.dtype().pyName() + " but the parameters are "
                    + weightIh.dtype().pyName());
        }
        boolean batched = input.rank() == 2;
        long batch = batched ? input.size(0) : 1;
        checkState("hx", hx, input, batched, batch);
        checkState("cx", cx, input, batched, batch);
        try (Tensor x = batched ? input.alias() : input.unsqueeze(0);
             Tensor h = hx == null ? zeros(input, batch) : batched ? hx.alias() : hx.unsqueeze(0);
             Tensor c = mode != Recurrence.Mode.LSTM ? null : cx == null ? zeros(input, batch) : batched ? cx.alias() : cx.unsqueeze(0)) {
            Tensor[] r = Recurrence.cell(mode, x, h, c, weightIh, weightHh, biasIh, biasHh);
            if (!batched) {
                for (int i = 0; i < r.length; i++) {
                    if (r[i] != null) {
                        try (Tensor full = r[i]) {
                            r[i] = full.squeeze(0);
                        }
                    }
                }
            }
            return r;
        }
    }

    private Tensor zeros(Tensor like, long batch) {
        return Tensor.full(Shape.of(batch, hiddenSize), 0, like.dtype(), like.device());
    }

    private void checkState(String name, Tensor state, Tensor input, boolean batched, long batch) {
        if (state == null) {
            return;
        }
        LayerChecks.likeInput(layer, name, state, input);
        long[] expected = batched ? new long[] {batch, hiddenSize} : new long[] {hiddenSize};
        if (!Arrays.equals(state.shape().toArray(), expected)) {
            throw new IllegalArgumentException(layer + ": " + name + " must have shape " + Arrays.toString(expected)
                    + (batched ? " (batch, hidden_size)" : " (hidden_size)") + " for input shape " + input.shape() + ", got " + state.shape());
        }
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (biasIh == null ? ", bias=False" : "")
                + (mode == Recurrence.Mode.RNN_RELU ? ", nonlinearity=relu" : "");
    }
}
