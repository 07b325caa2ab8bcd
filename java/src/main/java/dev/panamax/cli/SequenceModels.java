package dev.panamax.cli;

import dev.panamax.nn.GRU;
import dev.panamax.nn.LSTM;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.nn.RNN;
import dev.panamax.nn.RecurrentOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * The sequence models the long-range demo compares, in one list: each reads [length, batch, in]
 * and regresses one number per sequence from its last step. A new kind of model (self-attention,
 * say) is one more entry. Hidden sizes give about the same parameter count with 2 inputs and
 * 1 output: RNN 66 → 4,687, LSTM 32 → 4,641, GRU 37 → 4,589.
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
            new Entry("GRU", 37, (in, h, gen) -> new LastStep(new GRU(in, h, RecurrentOptions.DEFAULT, gen), h, gen)));

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
}
