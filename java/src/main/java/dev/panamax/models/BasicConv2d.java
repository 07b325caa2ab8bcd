package dev.panamax.models;

import dev.panamax.nn.BatchNorm2d;
import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Module;
import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Convolution without bias, batch norm, ReLU: torchvision's {@code BasicConv2d} (GoogLeNet,
 * Inception v3) and timm's {@code ConvNormAct} (Inception v4, Inception-ResNet v2), whose children
 * are both named {@code conv} and {@code bn}.
 */
public final class BasicConv2d extends Module {
    private final Conv2d conv;
    private final BatchNorm2d bn;

    public BasicConv2d(long in, long out, int kernel, ConvOptions options, double eps, Generator gen) {
        this(in, out, kernel, kernel, options, eps, gen);
    }

    public BasicConv2d(long in, long out, int kernelH, int kernelW, ConvOptions options, double eps, Generator gen) {
        conv = registerModule("conv", new Conv2d(in, out, kernelH, kernelW, options, false, gen));
        bn = registerModule("bn", new BatchNorm2d(out, eps, 0.1, true, true));
    }

    public Conv2d conv() {
        return conv;
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor c = conv.forward(x); Tensor n = bn.forward(c)) {
            return n.relu();
        }
    }
}
