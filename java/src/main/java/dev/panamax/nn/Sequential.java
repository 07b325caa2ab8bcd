package dev.panamax.nn;

import dev.panamax.tensor.Tensor;
import java.util.Map;

/** Modules applied in order; children are named "0", "1", ... as in PyTorch, or given names. */
public final class Sequential extends Module {
    private final Module[] layers;

    public Sequential(Module... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
    }

    /** Named children in the map's iteration order (PyTorch's {@code Sequential(OrderedDict(...))}); pass a LinkedHashMap. */
    public Sequential(Map<String, ? extends Module> layers) {
        this.layers = layers.values().toArray(Module[]::new);
        layers.forEach(this::registerModule);
    }

    public int size() {
        return layers.length;
    }

    public Module get(int i) {
        return layers[i];
    }

    /** Applies the layers in turn, closing each intermediate result as soon as the next layer has used it. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module layer : layers) {
            Tensor y = layer.forward(x);
            if (x != input) {
                x.close();
            }
            x = y;
        }
        return x == input ? input.alias() : x;
    }
}
