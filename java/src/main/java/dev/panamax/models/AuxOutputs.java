package dev.panamax.models;

import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * A network's main logits and, in training with auxiliary classifiers, their logits too (in the
 * network's order: GoogLeNet's aux1 then aux2); each auxiliary loss is usually weighted by 0.3
 * (GoogLeNet) or 0.4 (Inception v3) and added to the main one.
 */
public record AuxOutputs(Tensor logits, List<Tensor> aux) implements AutoCloseable {
    @Override
    public void close() {
        logits.close();
        aux.forEach(Tensor::close);
    }
}
