package dev.panamax.nn;

import dev.panamax.ops.RecurrentWeightSpace;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stack of recurrent layers, as PyTorch's {@code RNNBase}: {@link RNN}, {@link LSTM} and
 * {@link GRU}. Parameters have PyTorch's names and shapes ({@code weight_ih_l0}, {@code
 * weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, {@code weight_hr_l0}, {@code *_reverse}),
 * so a PyTorch state dict loads unchanged, and start uniform in ±1/√hidden_size.
 *
 * <p>Inputs are [seq, batch, input_size] ([batch, seq, input_size] with batch-first) or unbatched
 * [seq, input_size]. Variable-length batches take a {@code lengths} array, one length per
 * sequence in 1..seq, in any order (PyTorch's {@code pack_padded_sequence} with {@code
 * enforce_sorted=False}): outputs past a sequence's length are zero, h_n (and c_n) hold the state
 * at its last valid step, and the reverse direction starts at that step. The output keeps the
 * input's seq length even when every length is shorter, as {@code pad_packed_sequence(...,
 * total_length=seq)} gives it (without total_length PyTorch trims it to the longest length).
 *
 * <p>On a backend with a fused recurrence (cuDNN's RNN API on CUDA) the whole stack is one op, its
 * parameters copied into the backend's weight space only when they change; elsewhere, and for
 * inter-layer dropout in training, it runs layer by layer ({@link Recurrence}).
 */
public abstract class RNNBase extends Module {
    private static final Logger LOG = LoggerFactory.getLogger(RNNBase.class);
    private final String layer;
    private final Recurrence.Config config;
    private final RecurrentOptions options;
    private final Generator generator;
    private final List<Tensor> flatWeights = new ArrayList<>();
    /** The parameters laid out for a fused backend (cuDNN), refilled only when they change. */
    private final RecurrentWeightSpace weightSpace = new RecurrentWeightSpace();

    RNNBase(String layer, Recurrence.Mode mode, long inputSize, long hiddenSize, RecurrentOptions o, Generator gen) {
        this.layer = layer;
        LayerChecks.positive(layer, "input_size", inputSize);
        LayerChecks.positive(layer, "hidden_size", hiddenSize);
        LayerChecks.positive(layer, "num_layers", o.numLayers());
        if (!(o.dropout() >= 0 && o.dropout() <= 1)) {
            throw new IllegalArgumentException(layer + ": dropout should be a number in range [0, 1] representing the probability of an"
                    + " element being zeroed, got " + o.dropout());
        }
        if (o.dropout() > 0 && o.numLayers() == 1) {
            // PyTorch's warning: there is no layer after the only one, so the setting does nothing
            LOG.warn("{}: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater"
                    + " than 1, but got dropout={} and num_layers=1", layer, o.dropout());
        }
        if (o.projSize() < 0) {
            throw new IllegalArgumentException(layer + ": proj_size should be a positive integer or zero to disable projections, got "
                    + o.projSize());
        }
        if (o.projSize() > 0 && mode != Recurrence.Mode.LSTM) {
            throw new IllegalArgumentException(layer + ": proj_size argument is only supported for LSTM, not RNN or GRU");
        }
        if (o.projSize() >= hiddenSize) {
            throw new IllegalArgumentException(layer + ": proj_size " + o.projSize() + " has to be smaller than hidden_size " + hiddenSize);
        }
        boolean rnn = mode == Recurrence.Mode.RNN_TANH || mode == Recurrence.Mode.RNN_RELU;
        if (!rnn && !o.nonlinearity().equals("tanh")) {
            throw new IllegalArgumentException(layer + ": nonlinearity is an RNN setting; " + layer + " has none, got '" + o.nonlinearity() + "'");
        }
        this.options = o;
        this.generator = gen;
        this.config = new Recurrence.Config(mode, inputSize, hiddenSize, o.projSize(), o.numLayers(), o.bias(), o.batchFirst(),
                o.dropout(), o.bidirectional());
        long gates = mode.gates * hiddenSize;
        long out = config.outSize();
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int l = 0; l < o.numLayers(); l++) {
            long in = l == 0 ? inputSize : out * config.directions();
            for (int d = 0; d < config.directions(); d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                flatWeights.add(registerParameter("weight_ih" + suffix, Tensor.empty(DType.FLOAT32, gates, in)));
                flatWeights.add(registerParameter("weight_hh" + suffix, Tensor.empty(DType.FLOAT32, gates, out)));
                if (o.bias()) {
                    flatWeights.add(registerParameter("bias_ih" + suffix, Tensor.empty(DType.FLOAT32, gates)));
                    flatWeights.add(registerParameter("bias_hh" + suffix, Tensor.empty(DType.FLOAT32, gates)));
                }
                if (o.projSize() > 0) {
                    flatWeights.add(registerParameter("weight_hr" + suffix, Tensor.empty(DType.FLOAT32, o.projSize(), hiddenSize)));
                }
            }
        }
        flatWeights.forEach(w -> Init.uniform_(w, -bound, bound, gen));
    }

    /** The settings this layer was built with. */
    public RecurrentOptions options() {
        return options;
    }

    public long inputSize() {
        return config.inputSize();
    }

    public long hiddenSize() {
        return config.hiddenSize();
    }

    /** The parameters in PyTorch's order ({@code _flat_weights}): per layer and direction ih, hh, biases, projection. */
    public List<Tensor> flatWeights() {
        return Collections.unmodifiableList(flatWeights);
    }

    Recurrence.Config config() {
        return config;
    }

    /** The output only; h_n (and c_n) are freed. */
    @Override
    public Tensor forward(Tensor input) {
        RNNOutput r = run(input, null, null, null);
        r.hN().close();
        if (r.cN() != null) {
            r.cN().close();
        }
        return r.output();
    }

    /**
     * The full computation: output, h_n and (LSTM) c_n.
     *
     * @param h0      initial h, [layers·directions, batch, out] ([layers·directions, out] unbatched); null: zeros
     * @param c0      LSTM only: initial c, [layers·directions, batch, hidden]; null: zeros
     * @param lengths each sequence's length, in 1..seq, one per batch element; null: all full length
     * @throws IllegalArgumentException naming the argument at fault and the shapes expected and given
     */
    RNNOutput run(Tensor input, Tensor h0, Tensor c0, long[] lengths) {
        if (input.rank() != 2 && input.rank() != 3) {
            throw new IllegalArgumentException(layer + ": expected input of rank 2 (unbatched) or 3 (batched), got shape " + input.shape());
        }
        if (input.size(-1) != config.inputSize()) {
            throw new IllegalArgumentException(layer + ": input.size(-1) must be equal to input_size " + config.inputSize() + ", got "
                    + input.size(-1) + " (input shape " + input.shape() + ")");
        }
        Tensor weight0 = flatWeights.get(0);
        if (input.dtype() != weight0.dtype()) {
            throw new IllegalArgumentException(layer + ": input is " + input.dtype().pyName() + " but the parameters are "
                    + weight0.dtype().pyName());
        }
        boolean batched = input.rank() == 3;
        int batchDim = config.batchFirst() ? 0 : 1;
        long steps = batched ? input.size(1 - batchDim) : input.size(0);
        long batch = batched ? input.size(batchDim) : 1;
        if (steps == 0) {
            throw new IllegalArgumentException(layer + ": expected sequence length to be larger than 0, got input shape " + input.shape()
                    + (batched ? config.batchFirst() ? " (batch, seq, input_size)" : " (seq, batch, input_size)" : " (seq, input_size)"));
        }
        long states = (long) config.numLayers() * config.directions();
        checkState("h0", h0, input, batched, states, batch, config.outSize());
        if (c0 != null && config.mode() != Recurrence.Mode.LSTM) {
            throw new IllegalArgumentException(layer + ": c0 is an LSTM argument; " + layer + " has no cell state");
        }
        checkState("c0", c0, input, batched, states, batch, config.hiddenSize());
        if (lengths != null) {
            if (lengths.length != batch) {
                throw new IllegalArgumentException(layer + ": lengths must have one entry per sequence, " + batch + " for input shape "
                        + input.shape() + ", got " + lengths.length + " " + Arrays.toString(lengths));
            }
            for (int b = 0; b < lengths.length; b++) {
                if (lengths[b] < 1 || lengths[b] > steps) {
                    throw new IllegalArgumentException(layer + ": lengths[" + b + "] = " + lengths[b] + " is out of range: each length must be in 1.."
                            + steps + " (the sequence length of input shape " + input.shape() + ")");
                }
            }
        }
        if (batched) {
            return Recurrence.run(config, input, h0, c0, lengths, flatWeights, isTraining(), generator, weightSpace);
        }
        try (Tensor x = input.unsqueeze(batchDim); Tensor h = h0 == null ? null : h0.unsqueeze(1);
             Tensor c = c0 == null ? null : c0.unsqueeze(1);
             RNNOutput r = Recurrence.run(config, x, h, c, lengths, flatWeights, isTraining(), generator, weightSpace)) {
            return new RNNOutput(r.output().squeeze(batchDim), r.hN().squeeze(1), r.cN() == null ? null : r.cN().squeeze(1));
        }
    }

    /** The fused weight space, for tests of its reuse. */
    RecurrentWeightSpace weightSpace() {
        return weightSpace;
    }

    /** The weight space was laid out on the old device: the next fused call lays it out again. */
    @Override
    protected void moved(Device device) {
        weightSpace.close();
    }

    @Override
    public void close() {
        weightSpace.close();
        super.close();
    }

    private void checkState(String name, Tensor state, Tensor input, boolean batched, long states, long batch, long size) {
        if (state == null) {
            return;
        }
        LayerChecks.likeInput(layer, name, state, input);
        long[] expected = batched ? new long[] {states, batch, size} : new long[] {states, size};
        if (!Arrays.equals(state.shape().toArray(), expected)) {
            throw new IllegalArgumentException(layer + ": " + name + " must have shape " + Arrays.toString(expected)
                    + " (num_layers * num_directions, " + (batched ? "batch, " : "") + (size == config.hiddenSize() ? "hidden_size" : "proj_size")
                    + "), got " + state.shape());
        }
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder().append(config.inputSize()).append(", ").append(config.hiddenSize());
        if (config.projSize() > 0) {
            s.append(", proj_size=").append(config.projSize());
        }
        if (config.numLayers() != 1) {
            s.append(", num_layers=").append(config.numLayers());
        }
        if (!config.bias()) {
            s.append(", bias=False");
        }
        if (config.batchFirst()) {
            s.append(", batch_first=True");
        }
        if (config.dropout() != 0) {
            s.append(", dropout=").append(Repr.num(config.dropout()));
        }
        if (config.bidirectional()) {
            s.append(", bidirectional=True");
        }
        return s.toString();
    }
}
