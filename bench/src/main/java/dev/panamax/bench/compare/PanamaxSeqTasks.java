package dev.panamax.bench.compare;

import dev.panamax.autograd.GradMode;
import dev.panamax.bench.worker.AttentionWork;
import dev.panamax.bench.worker.RecurrentWork;
import dev.panamax.nn.GRU;
import dev.panamax.nn.LSTM;
import dev.panamax.nn.RNNBase;
import dev.panamax.nn.RNNOutput;
import dev.panamax.nn.RecurrentOptions;
import dev.panamax.ops.Attention;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** The sequence workloads: Panamax's {@code nn.LSTM} and {@code nn.GRU} layers and {@code Attention.scaledDotProductAttention}. */
final class PanamaxSeqTasks {
    private PanamaxSeqTasks() {}

    @SuppressWarnings("try") // noGrad is a mode, not a resource the body uses
    static PanamaxTask recurrent(RecurrentWork w) {
        RNNBase layer = switch (w.cell()) {
            case LSTM -> new LSTM(w.input(), w.hidden(), RecurrentOptions.DEFAULT, new Generator(0));
            case GRU -> new GRU(w.input(), w.hidden(), RecurrentOptions.DEFAULT, new Generator(0));
        };
        List<Tensor> weights = layer.flatWeights();
        try (GradMode.Guard noGrad = GradMode.noGrad()) {
            for (int i = 0; i < weights.size(); i++) {
                try (Tensor value = Tensor.of(w.parameter(i), w.parameterShapes().get(i))) {
                    weights.get(i).copy_(value);
                }
            }
        }
        // Forward only: no graph on either side (DJL's parameters do not require gradients there either).
        weights.forEach(p -> p.requiresGrad(w.backward()));
        return new PanamaxTask() {
            private final Tensor x = input(w.x(), w.seq(), w.batch(), w.input()).requiresGrad(w.backward());

            @Override
            protected List<Tensor> compute() {
                if (w.backward()) {
                    x.zeroGrad(); // as PyTorch's zero_grad(set_to_none=True): backward writes fresh gradients
                    layer.zeroGrad();
                }
                RNNOutput out = layer instanceof LSTM lstm ? lstm.forward(x, null, null) : ((GRU) layer).forward(x, null);
                List<Tensor> results = new ArrayList<>(List.of(out.output(), out.hN()));
                if (out.cN() != null) {
                    results.add(out.cN());
                }
                if (w.backward()) {
                    out.output().backward(Tensor.onesLike(out.output()));
                    results.add(x.grad());
                    weights.forEach(p -> results.add(p.grad()));
                }
                return results;
            }

            @Override
            public void close() {
                super.close();
                layer.close();
            }
        };
    }

    static PanamaxTask attention(AttentionWork w) {
        return new PanamaxTask() {
            private final Tensor q = input(w.query(), w.shape()).requiresGrad(w.backward());
            private final Tensor k = input(w.key(), w.shape()).requiresGrad(w.backward());
            private final Tensor v = input(w.value(), w.shape()).requiresGrad(w.backward());

            @Override
            protected List<Tensor> compute() {
                if (!w.backward()) {
                    return List.of(Attention.scaledDotProductAttention(q, k, v));
                }
                for (Tensor leaf : List.of(q, k, v)) {
                    leaf.zeroGrad();
                }
                Tensor y = Attention.scaledDotProductAttention(q, k, v);
                y.backward(Tensor.onesLike(y));
                return List.of(y, q.grad(), k.grad(), v.grad());
            }
        };
    }
}
