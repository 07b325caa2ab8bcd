package dev.panamax.cli;

import dev.panamax.nn.GRU;
import dev.panamax.nn.LSTM;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.nn.RNN;
import dev.panamax.nn.RecurrentOptions;
import dev.panamax.nn.SinusoidalPositionalEncoding;
import dev.panamax.nn.TransformerEncoderLayer;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * The sequence models the long-range demo compares, in one list: each reads [length, batch, in]
 * and regresses one number per sequence from its last step. A new kind of model is one more
 * entry. Hidden sizes give about the same parameter count with 2 inputs and 1 output: RNN 66 →
 * 4,687, LSTM 32 → 4,641, GRU 37 → 4,589, self-attention (d_model 24, 4 heads, feed-forward 40)
 * → 4,577.
 */
final class SequenceModels {
    /** A model kind: its name, hidden size, and how to build it for an input size. */
    record Entry(String name, int hidden, Factory factory) {
        Module create(long inputSize, Generator gen) {
            return factory.create(inputSize, hidden, gen);
        }
    }

    @FunctionalInterface
    interface Factory {
        Module create(long inputSize, int hidden, Generator gen);
    }

    static final List<Entry> ALL = List.of(
            new Entry("RNN", 66, (in, h, gen) -> new LastStep(new RNN(in, h, RecurrentOptions.DEFAULT, gen), h, gen)),
            new Entry("LSTM", 32, (in, h, gen) -> new LastStep(new LSTM(in, h, RecurrentOptions.DEFAULT, gen), h, gen)),
            new Entry("GRU", 37, (in, h, gen) -> new LastStep(new GRU(in, h, RecurrentOptions.DEFAULT, gen), h, gen)),
            new Entry("Attn", 24, (in, h, gen) -> new SelfAttention(in, h, 4, 40, gen)));

    private SequenceModels() {}

    static List<String> names() {
        return ALL.stream().map(Entry::name).toList();
    }

    /** A recurrent layer followed by a linear head on its last step's output: [length, batch, in] → [batch]. */
    static final class LastStep extends Module {
        private final Module recurrent;
        private final Linear head;

        LastStep(Module recurrent, int hidden, Generator gen) {
            this.recurrent = registerModule("rnn", recurrent);
            this.head = registerModule("head", new Linear(hidden, 1, true, gen));
        }

        @Override
        public Tensor forward(Tensor input) {
            Tensor out = recurrent.forward(input);
            return head.forward(out.select(0, out.size(0) - 1)).squeeze(1);
        }
    }

    /**
     * One post-norm Transformer encoder layer (dropout 0) over a linear projection of the input
     * plus the sinusoidal positional encoding, with a linear head on the last position's output:
     * [length, batch, in] → [batch]. Sequences may be up to {@link #MAX_LENGTH} long.
     */
    static final class SelfAttention extends Module {
        static final int MAX_LENGTH = 5000;
        private final Linear proj;
        private final SinusoidalPositionalEncoding pos;
        private final TransformerEncoderLayer encoder;
        private final Linear head;

        SelfAttention(long inputSize, int dModel, int nhead, int dimFeedforward, Generator gen) {
            this.proj = registerModule("proj", new Linear(inputSize, dModel, true, gen));
            this.pos = registerModule("pos", new SinusoidalPositionalEncoding(dModel, MAX_LENGTH, 0, false, gen));
            this.encoder = registerModule("encoder", new TransformerEncoderLayer(dModel, nhead, dimFeedforward, 0, "relu", 1e-5,
                    false, false, true, gen));
            this.head = registerModule("head", new Linear(dModel, 1, true, gen));
        }

        @Override
        public Tensor forward(Tensor input) {
            Tensor out = encoder.forward(pos.forward(proj.forward(input)));
            return head.forward(out.select(0, out.size(0) - 1)).squeeze(1);
        }
    }
}
