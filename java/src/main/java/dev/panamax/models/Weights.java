package dev.panamax.models;

import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Init;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Generator;

/** The reference implementations' weight initialisations, applied over a whole model. */
final class Weights {
    private Weights() {}

    /** Every Conv2d: He normal (gain √2) over fan-in or fan-out; biases zero (torchvision's ResNet, VGG, DenseNet). */
    static void kaimingNormalConvs(Module model, Init.FanMode mode, Generator gen) {
        for (Module m : model.modules()) {
            if (m instanceof Conv2d c) {
                Init.kaimingNormal_(c.weight(), 0, mode, "relu", gen);
                if (c.bias() != null) {
                    Init.zeros_(c.bias());
                }
            }
        }
    }

    /** Every Linear: weight N(0, std²), bias zero (torchvision's VGG). */
    static void normalLinears(Module model, double std, Generator gen) {
        for (Module m : model.modules()) {
            if (m instanceof Linear l) {
                Init.normal_(l.weight(), 0, std, gen);
                if (l.bias() != null) {
                    Init.zeros_(l.bias());
                }
            }
        }
    }

    /** Every Linear's bias zero (torchvision's DenseNet). */
    static void zeroLinearBiases(Module model) {
        for (Module m : model.modules()) {
            if (m instanceof Linear l && l.bias() != null) {
                Init.zeros_(l.bias());
            }
        }
    }

    /** Conv2d and Linear weights from N(0, std²) truncated to [-2, 2] (torchvision's GoogLeNet and Inception v3). */
    static void truncatedNormal(Module model, double std, Generator gen) {
        for (Module m : model.modules()) {
            if (m instanceof Conv2d c) {
                Init.truncNormal_(c.weight(), 0, std, -2, 2, gen);
            } else if (m instanceof Linear l) {
                Init.truncNormal_(l.weight(), 0, std, -2, 2, gen);
            }
        }
    }
}
