package dev.panamax.nn;

import dev.panamax.tensor.Tensor;

/** Modules applied in order; children are named "0", "1", ... as in PyTorch. */
public final class Sequential extends Module {
    private final Module[] layers;

    public Sequential(Module... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
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
