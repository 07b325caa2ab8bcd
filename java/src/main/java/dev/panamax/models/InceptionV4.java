package dev.panamax.models;

import dev.panamax.nn.AvgPool2d;
import dev.panamax.nn.Dropout;
import dev.panamax.nn.GlobalPool2d;
import dev.panamax.nn.Linear;
import dev.panamax.nn.MaxPool2d;
import dev.panamax.nn.Module;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.PoolOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Inception v4 (Szegedy et al., "Inception-v4, Inception-ResNet and the Impact of Residual
 * Connections on Learning", AAAI 2017) in timm's layout ({@code inception_v4}): {@code features} holds
 * the stem (three convolutions, Mixed3a, Mixed4a, Mixed5a), four Inception-A blocks, Reduction-A,
 * seven Inception-B, Reduction-B and three Inception-C blocks; then global average pooling,
 * {@code head_drop} and {@code last_linear}. Convolutions are batch-normalised (eps 1e-3, timm's
 * ConvNormAct, children {@code conv} and {@code bn}) with PyTorch's default initialisation, as timm.
 * 42,679,816 parameters; inputs from 75×75.
 */
public final class InceptionV4 extends Module {
    private static final double EPS = 1e-3;
    private static final ConvOptions ONE = ConvOptions.DEFAULT;

    private final Sequential features;
    private final GlobalPool2d globalPool;
    private final Dropout headDrop;
    private final Linear lastLinear;

    public InceptionV4(int numClasses, int inChannels, Generator gen) {
        List<Module> f = new ArrayList<>(List.of(
                conv(inChannels, 32, 3, 3, ONE.stride(2), gen),
                conv(32, 32, 3, 3, ONE, gen),
                conv(32, 64, 3, 3, ONE.padding(1), gen),
                mixed3a(gen), mixed4a(gen), mixed5a(gen)));
        for (int i = 0; i < 4; i++) {
            f.add(inceptionA(gen));
        }
        f.add(reductionA("ReductionA", 384, 192, 224, 256, 384, gen));
        for (int i = 0; i < 7; i++) {
            f.add(inceptionB(gen));
        }
        f.add(reductionB(gen));
        for (int i = 0; i < 3; i++) {
            f.add(inceptionC(gen));
        }
        features = registerModule("features", new Sequential(f.toArray(Module[]::new)));
        globalPool = registerModule("global_pool", new GlobalPool2d(GlobalPool2d.Kind.AVG, true));
        headDrop = registerModule("head_drop", new Dropout(0.0, gen));
        lastLinear = registerModule("last_linear", new Linear(1536, numClasses, true, gen));
    }

    /** ImageNet's Inception v4: 1000 classes, RGB. */
    public InceptionV4() {
        this(1000, 3, Generator.global());
    }

    static BasicConv2d conv(long in, long out, int kh, int kw, ConvOptions o, Generator gen) {
        return new BasicConv2d(in, out, kh, kw, o, EPS, gen);
    }

    static Sequential chain(Module... steps) {
        return new Sequential(steps);
    }

    static MaxPool2d maxPool3s2() {
        return new MaxPool2d(3, 2, 0);
    }

    /** 3×3 average pooling, stride 1, padding 1, divided by the input elements only (count_include_pad=False). */
    static AvgPool2d avg3() {
        return new AvgPool2d(PoolOptions.kernel(3).stride(1).padding(1), false, 0);
    }

    private static Branches mixed3a(Generator gen) {
        Branches b = new Branches("Mixed3a");
        b.path(b.child("maxpool", maxPool3s2()));
        b.path(b.child("conv", conv(64, 96, 3, 3, ONE.stride(2), gen)));
        return b;
    }

    private static Branches mixed4a(Generator gen) {
        Branches b = new Branches("Mixed4a");
        b.path(b.child("branch0", chain(conv(160, 64, 1, 1, ONE, gen), conv(64, 96, 3, 3, ONE, gen))));
        b.path(b.child("branch1", chain(conv(160, 64, 1, 1, ONE, gen), conv(64, 64, 1, 7, ONE.padding(0, 3), gen),
                conv(64, 64, 7, 1, ONE.padding(3, 0), gen), conv(64, 96, 3, 3, ONE, gen))));
        return b;
    }

    private static Branches mixed5a(Generator gen) {
        Branches b = new Branches("Mixed5a");
        b.path(b.child("conv", conv(192, 192, 3, 3, ONE.stride(2), gen)));
        b.path(b.child("maxpool", maxPool3s2()));
        return b;
    }

    private static Branches inceptionA(Generator gen) {
        Branches b = new Branches("InceptionA");
        b.path(b.child("branch0", conv(384, 96, 1, 1, ONE, gen)));
        b.path(b.child("branch1", chain(conv(384, 64, 1, 1, ONE, gen), conv(64, 96, 3, 3, ONE.padding(1), gen))));
        b.path(b.child("branch2", chain(conv(384, 64, 1, 1, ONE, gen), conv(64, 96, 3, 3, ONE.padding(1), gen),
                conv(96, 96, 3, 3, ONE.padding(1), gen))));
        b.path(b.child("branch3", chain(avg3(), conv(384, 96, 1, 1, ONE, gen))));
        return b;
    }

    /**
     * The paper's Reduction-A(k, l, m, n), shared with Inception-ResNet v2 (its Mixed_6a): a strided
     * 3×3 to n channels, 1×1 to k then 3×3 to l then a strided 3×3 to m, and strided max pooling.
     */
    static Branches reductionA(String typeName, long in, long k, long l, long m, long n, Generator gen) {
        Branches b = new Branches(typeName);
        b.path(b.child("branch0", conv(in, n, 3, 3, ONE.stride(2), gen)));
        b.path(b.child("branch1", chain(conv(in, k, 1, 1, ONE, gen), conv(k, l, 3, 3, ONE.padding(1), gen),
                conv(l, m, 3, 3, ONE.stride(2), gen))));
        b.path(b.child("branch2", maxPool3s2()));
        return b;
    }

    private static Branches inceptionB(Generator gen) {
        Branches b = new Branches("InceptionB");
        b.path(b.child("branch0", conv(1024, 384, 1, 1, ONE, gen)));
        b.path(b.child("branch1", chain(conv(1024, 192, 1, 1, ONE, gen), conv(192, 224, 1, 7, ONE.padding(0, 3), gen),
                conv(224, 256, 7, 1, ONE.padding(3, 0), gen))));
        b.path(b.child("branch2", chain(conv(1024, 192, 1, 1, ONE, gen), conv(192, 192, 7, 1, ONE.padding(3, 0), gen),
                conv(192, 224, 1, 7, ONE.padding(0, 3), gen), conv(224, 224, 7, 1, ONE.padding(3, 0), gen),
                conv(224, 256, 1, 7, ONE.padding(0, 3), gen))));
        b.path(b.child("branch3", chain(avg3(), conv(1024, 128, 1, 1, ONE, gen))));
        return b;
    }

    private static Branches reductionB(Generator gen) {
        Branches b = new Branches("ReductionB");
        b.path(b.child("branch0", chain(conv(1024, 192, 1, 1, ONE, gen), conv(192, 192, 3, 3, ONE.stride(2), gen))));
        b.path(b.child("branch1", chain(conv(1024, 256, 1, 1, ONE, gen), conv(256, 256, 1, 7, ONE.padding(0, 3), gen),
                conv(256, 320, 7, 1, ONE.padding(3, 0), gen), conv(320, 320, 3, 3, ONE.stride(2), gen))));
        b.path(b.child("branch2", maxPool3s2()));
        return b;
    }

    private static Branches inceptionC(Generator gen) {
        Branches b = new Branches("InceptionC");
        BasicConv2d b0 = b.child("branch0", conv(1536, 256, 1, 1, ONE, gen));
        BasicConv2d b10 = b.child("branch1_0", conv(1536, 384, 1, 1, ONE, gen));
        BasicConv2d b11a = b.child("branch1_1a", conv(384, 256, 1, 3, ONE.padding(0, 1), gen));
        BasicConv2d b11b = b.child("branch1_1b", conv(384, 256, 3, 1, ONE.padding(1, 0), gen));
        BasicConv2d b20 = b.child("branch2_0", conv(1536, 384, 1, 1, ONE, gen));
        BasicConv2d b21 = b.child("branch2_1", conv(384, 448, 3, 1, ONE.padding(1, 0), gen));
        BasicConv2d b22 = b.child("branch2_2", conv(448, 512, 1, 3, ONE.padding(0, 1), gen));
        BasicConv2d b23a = b.child("branch2_3a", conv(512, 256, 1, 3, ONE.padding(0, 1), gen));
        BasicConv2d b23b = b.child("branch2_3b", conv(512, 256, 3, 1, ONE.padding(1, 0), gen));
        Sequential b3 = b.child("branch3", chain(avg3(), conv(1536, 256, 1, 1, ONE, gen)));
        b.path(b0);
        b.path(b10, Branches.split(b11a, b11b));
        b.path(b20, b21, b22, Branches.split(b23a, b23b));
        b.path(b3);
        return b;
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor f = Blocks.chain(x, features, globalPool, headDrop)) {
            return lastLinear.forward(f);
        }
    }
}
