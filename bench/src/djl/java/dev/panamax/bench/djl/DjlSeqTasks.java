package dev.panamax.bench.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.nn.recurrent.RecurrentBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.panamax.bench.worker.AttentionWork;
import dev.panamax.bench.worker.RecurrentWork;
import java.util.ArrayList;
import java.util.List;

/**
 * The sequence workloads on DJL: its {@code LSTM} and {@code GRU} blocks (which call libtorch's
 * {@code torch::lstm} and {@code torch::gru} with the flat weights in PyTorch's order), and scaled
 * dot-product attention composed of {@code matMul}, {@code softmax} and {@code matMul}: DJL 0.34 has no
 * binding of PyTorch's {@code scaled_dot_product_attention}.
 */
final class DjlSeqTasks {
    private DjlSeqTasks() {}

    /**
     * Hands the block a fresh leaf of each parameter per training run, so that backward writes new gradients
     * instead of adding to the last run's (as {@link DjlTask#leaf} does for the functional cases), and keeps
     * the leaves for reading their gradients.
     */
    private static final class LeafStore extends ParameterStore {
        final List<NDArray> leaves = new ArrayList<>();

        LeafStore(NDManager manager) {
            super(manager, false);
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            if (!training) {
                return parameter.getArray();
            }
            NDArray leaf = DjlTask.leaf(parameter.getArray());
            leaves.add(leaf);
            return leaf;
        }
    }

    static DjlTask recurrent(NDManager parent, Engine engine, RecurrentWork w) {
        return new DjlTask(parent) {
            private final NDArray x = input(w.x(), w.seq(), w.batch(), w.input());
            private final RecurrentBlock block = switch (w.cell()) {
                case LSTM -> LSTM.builder().setStateSize(w.hidden()).setNumLayers(1).optBatchFirst(false).optReturnState(true).build();
                case GRU -> GRU.builder().setStateSize(w.hidden()).setNumLayers(1).optBatchFirst(false).optReturnState(true).build();
            };
            private final LeafStore store = new LeafStore(manager);

            {
                // The block's parameters are, in order, l_0_i2h_WEIGHT, l_0_h2h_WEIGHT, l_0_i2h_BIAS, l_0_h2h_BIAS:
                // PyTorch's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0.
                ParameterList parameters = block.getDirectParameters();
                if (parameters.size() != w.parameterShapes().size()) {
                    throw new IllegalStateException("DJL's " + w.cell() + " block has " + parameters.keys() + ", expected 4 parameters");
                }
                for (int i = 0; i < parameters.size(); i++) {
                    parameters.valueAt(i).setArray(input(w.parameter(i), w.parameterShapes().get(i)));
                }
            }

            @Override
            protected NDList compute() {
                if (!w.backward()) {
                    return block.forward(store, new NDList(x), false);
                }
                store.leaves.clear();
                NDArray xLeaf = leaf(x);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    NDList out = block.forward(store, new NDList(xLeaf), true);
                    collector.backward(out.head());
                    NDList results = new NDList(out);
                    results.add(xLeaf.getGradient());
                    store.leaves.forEach(p -> results.add(p.getGradient()));
                    return results;
                }
            }
        };
    }

    static DjlTask attention(NDManager parent, Engine engine, AttentionWork w) {
        return new DjlTask(parent) {
            private final NDArray q = input(w.query(), w.shape());
            private final NDArray k = input(w.key(), w.shape());
            private final NDArray v = input(w.value(), w.shape());
            private final float scale = (float) (1 / Math.sqrt(w.headSize()));

            private NDArray attend(NDArray query, NDArray key, NDArray value) {
                return query.matMul(key.transpose(0, 1, 3, 2)).mul(scale).softmax(-1).matMul(value);
            }

            @Override
            protected NDList compute() {
                if (!w.backward()) {
                    return new NDList(attend(q, k, v));
                }
                NDArray qLeaf = leaf(q);
                NDArray kLeaf = leaf(k);
                NDArray vLeaf = leaf(v);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    NDArray y = attend(qLeaf, kLeaf, vLeaf);
                    collector.backward(y);
                    return new NDList(y, qLeaf.getGradient(), kLeaf.getGradient(), vLeaf.getGradient());
                }
            }
        };
    }
}
