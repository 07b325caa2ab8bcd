package dev.panamax.models;

import static dev.panamax.models.InceptionV4.avg3;
import static dev.panamax.models.InceptionV4.chain;
import static dev.panamax.models.InceptionV4.conv;
import static dev.panamax.models.InceptionV4.maxPool3s2;
import static dev.panamax.models.InceptionV4.reductionA;

import dev.panamax.nn.Activation;
import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Dropout;
import dev.panamax.nn.GlobalPool2d;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Inception-ResNet v2 (Szegedy et al., "Inception-v4, Inception-ResNet and the Impact of Residual
 * Connections on Learning", AAAI 2017) in timm's layout ({@code inception_resnet_v2}): the stem
 * ({@code conv2d_1a} to {@code maxpool_5a}, {@code mixed_5b}), ten Block35 ({@code repeat}, residuals
 * scaled by 0.17), {@code mixed_6a}, twenty Block17 ({@code repeat_1}, 0.1), {@code mixed_7a}, nine
 * Block8 ({@code repeat_2}, 0.2) and a last Block8 without ReLU ({@code block8}), {@code conv2d_7b},
 * global average pooling and {@code classif}. Batch-normalised convolutions with eps 1e-3 and
 * PyTorch's default initialisation, as timm. 55,843,464 parameters; inputs from 75×75.
 */
public final class InceptionResNetV2 extends Module {
    private static final ConvOptions ONE = ConvOptions.DEFAULT;

    private final Module[] body;
    private final GlobalPool2d globalPool;
    private final Dropout headDrop;
    private final Linear classif;

    public InceptionResNetV2(int numClasses, int inChannels, Generator gen) {
        body = new Module[] {
            registerModule("conv2d_1a", conv(inChannels, 32, 3, 3, ONE.stride(2), gen)),
            registerModule("conv2d_2a", conv(32, 32, 3, 3, ONE, gen)),
            registerModule("conv2d_2b", conv(32, 64, 3, 3, ONE.padding(1), gen)),
            registerModule("maxpool_3a", maxPool3s2()),
            registerModule("conv2d_3b", conv(64, 80, 1, 1, ONE, gen)),
            registerModule("conv2d_4a", conv(80, 192, 3, 3, ONE, gen)),
            registerModule("maxpool_5a", maxPool3s2()),
            registerModule("mixed_5b", mixed5b(gen)),
            registerModule("repeat", repeat(10, () -> block35(0.17, gen))),
            registerModule("mixed_6a", reductionA("Mixed_6a", 320, 256, 256, 384, 384, gen)),
            registerModule("repeat_1", repeat(20, () -> block17(0.10, gen))),
            registerModule("mixed_7a", mixed7a(gen)),
            registerModule("repeat_2", repeat(9, () -> block8(0.20, true, gen))),
            registerModule("block8", block8(1.0, false, gen)),
            registerModule("conv2d_7b", conv(2080, 1536, 1, 1, ONE, gen)),
        };
        globalPool = registerModule("global_pool", new GlobalPool2d(GlobalPool2d.Kind.AVG, true));
        headDrop = registerModule("head_drop", new Dropout(0.0, gen));
        classif = registerModule("classif", new Linear(1536, numClasses, true, gen));
    }

    /** ImageNet's Inception-ResNet v2: 1000 classes, RGB. */
    public InceptionResNetV2() {
        this(1000, 3, Generator.global());
    }

    private static Sequential repeat(int n, java.util.function.Supplier<Module> block) {
        Module[] blocks = new Module[n];
        for (int i = 0; i < n; i++) {
            blocks[i] = block.get();
        }
        return new Sequential(blocks);
    }

    private static Branches mixed5b(Generator gen) {
        Branches b = new Branches("Mixed_5b");
        b.path(b.child("branch0", conv(192, 96, 1, 1, ONE, gen)));
        b.path(b.child("branch1", chain(conv(192, 48, 1, 1, ONE, gen), conv(48, 64, 5, 5, ONE.padding(2), gen))));
        b.path(b.child("branch2", chain(conv(192, 64, 1, 1, ONE, gen), conv(64, 96, 3, 3, ONE.padding(1), gen),
                conv(96, 96, 3, 3, ONE.padding(1), gen))));
        b.path(b.child("branch3", chain(avg3(), conv(192, 64, 1, 1, ONE, gen))));
        return b;
    }

    private static Branches mixed7a(Generator gen) {
        Branches b = new Branches("Mixed_7a");
        b.path(b.child("branch0", chain(conv(1088, 256, 1, 1, ONE, gen), conv(256, 384, 3, 3, ONE.stride(2), gen))));
        b.path(b.child("branch1", chain(conv(1088, 256, 1, 1, ONE, gen), conv(256, 288, 3, 3, ONE.stride(2), gen))));
        b.path(b.child("branch2", chain(conv(1088, 256, 1, 1, ONE, gen), conv(256, 288, 3, 3, ONE.padding(1), gen),
                conv(288, 320, 3, 3, ONE.stride(2), gen))));
        b.path(b.child("branch3", maxPool3s2()));
        return b;
    }

    private static ScaledResidual block35(double scale, Generator gen) {
        ScaledResidual b = new ScaledResidual("Block35", scale);
        b.path(b.child("branch0", conv(320, 32, 1, 1, ONE, gen)));
        b.path(b.child("branch1", chain(conv(320, 32, 1, 1, ONE, gen), conv(32, 32, 3, 3, ONE.padding(1), gen))));
        b.path(b.child("branch2", chain(conv(320, 32, 1, 1, ONE, gen), conv(32, 48, 3, 3, ONE.padding(1), gen),
                conv(48, 64, 3, 3, ONE.padding(1), gen))));
        return b.finish(new Conv2d(128, 320, 1, 1, ONE, true, gen), "act", true);
    }

    private static ScaledResidual block17(double scale, Generator gen) {
        ScaledResidual b = new ScaledResidual("Block17", scale);
        b.path(b.child("branch0", conv(1088, 192, 1, 1, ONE, gen)));
        b.path(b.child("branch1", chain(conv(1088, 128, 1, 1, ONE, gen), conv(128, 160, 1, 7, ONE.padding(0, 3), gen),
                conv(160, 192, 7, 1, ONE.padding(3, 0), gen))));
        return b.finish(new Conv2d(384, 1088, 1, 1, ONE, true, gen), "act", true);
    }

    private static ScaledResidual block8(double scale, boolean relu, Generator gen) {
        ScaledResidual b = new ScaledResidual("Block8", scale);
        b.path(b.child("branch0", conv(2080, 192, 1, 1, ONE, gen)));
        b.path(b.child("branch1", chain(conv(2080, 192, 1, 1, ONE, gen), conv(192, 224, 1, 3, ONE.padding(0, 1), gen),
                conv(224, 256, 3, 1, ONE.padding(1, 0), gen))));
        return b.finish(new Conv2d(448, 2080, 1, 1, ONE, true, gen), "relu", relu);
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor f = Blocks.chain(x, body); Tensor pooled = globalPool.forward(f); Tensor d = headDrop.forward(pooled)) {
            return classif.forward(d);
        }
    }

    /** Inception branches, concatenated, projected back by a 1×1 convolution ({@code conv2d}), scaled and added to the input; then ReLU unless disabled. */
    static final class ScaledResidual extends Branches {
        private final double scale;
        private Conv2d conv2d;
        private boolean relu;

        ScaledResidual(String typeName, double scale) {
            super(typeName);
            this.scale = scale;
        }

        ScaledResidual finish(Conv2d projection, String activationName, boolean withRelu) {
            conv2d = child("conv2d", projection);
            relu = withRelu;
            if (withRelu) {
                child(activationName, Activation.relu());
            }
            return this;
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor mixed = super.forward(x); Tensor projected = conv2d.forward(mixed); Tensor scaled = projected.mul(scale);
                 Tensor sum = scaled.add(x)) {
                return relu ? sum.relu() : sum.alias();
            }
        }

        @Override
        protected String extraRepr() {
            return "scale=" + scale;
        }
    }
}
