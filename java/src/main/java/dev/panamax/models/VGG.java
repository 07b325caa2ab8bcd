package dev.panamax.models;

import dev.panamax.nn.Activation;
import dev.panamax.nn.AdaptiveAvgPool2d;
import dev.panamax.nn.BatchNorm2d;
import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Dropout;
import dev.panamax.nn.Init;
import dev.panamax.nn.Linear;
import dev.panamax.nn.MaxPool2d;
import dev.panamax.nn.Module;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * VGG (Simonyan and Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", ICLR 2015), configurations A, B, D, E (11, 13, 16, 19 weight layers), with or
 * without batch norm after each convolution, in torchvision's layout: 3×3 convolutions padded by 1,
 * 2×2 max pooling, adaptive average pooling to 7×7 (so inputs from 32×32 work), and a
 * 4096-4096-classes classifier with dropout; torchvision's initialisation (He normal over fan-out
 * for convolutions, N(0, 0.01²) for linear layers, zero biases). VGG-16 has 138,357,544 parameters.
 */
public final class VGG extends Module {
    private static final int POOL = 0;
    private static final int[] A = {64, POOL, 128, POOL, 256, 256, POOL, 512, 512, POOL, 512, 512, POOL};
    private static final int[] B = {64, 64, POOL, 128, 128, POOL, 256, 256, POOL, 512, 512, POOL, 512, 512, POOL};
    private static final int[] D = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL, 512, 512, 512, POOL};
    private static final int[] E = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, 256, POOL, 512, 512, 512, 512, POOL,
                                    512, 512, 512, 512, POOL};

    private final Sequential features;
    private final AdaptiveAvgPool2d avgpool;
    private final Sequential classifier;

    private VGG(int[] config, boolean batchNorm, int numClasses, int inChannels, Generator gen) {
        List<Module> layers = new ArrayList<>();
        long channels = inChannels;
        for (int v : config) {
            if (v == POOL) {
                layers.add(new MaxPool2d(2, 2, 0));
                continue;
            }
            layers.add(new Conv2d(channels, v, 3, 3, ConvOptions.DEFAULT.padding(1), true, gen));
            if (batchNorm) {
                layers.add(new BatchNorm2d(v));
            }
            layers.add(Activation.relu());
            channels = v;
        }
        features = registerModule("features", new Sequential(layers.toArray(Module[]::new)));
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(7));
        classifier = registerModule("classifier", new Sequential(
                new Linear(512 * 7 * 7, 4096, true, gen), Activation.relu(), new Dropout(0.5),
                new Linear(4096, 4096, true, gen), Activation.relu(), new Dropout(0.5),
                new Linear(4096, numClasses, true, gen)));
        Weights.kaimingNormalConvs(this, Init.FanMode.FAN_OUT, gen);
        Weights.normalLinears(this, 0.01, gen);
    }

    public static VGG vgg11(int numClasses, int inChannels, boolean batchNorm, Generator gen) {
        return new VGG(A, batchNorm, numClasses, inChannels, gen);
    }

    public static VGG vgg13(int numClasses, int inChannels, boolean batchNorm, Generator gen) {
        return new VGG(B, batchNorm, numClasses, inChannels, gen);
    }

    public static VGG vgg16(int numClasses, int inChannels, boolean batchNorm, Generator gen) {
        return new VGG(D, batchNorm, numClasses, inChannels, gen);
    }

    public static VGG vgg19(int numClasses, int inChannels, boolean batchNorm, Generator gen) {
        return new VGG(E, batchNorm, numClasses, inChannels, gen);
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor f = features.forward(x); Tensor p = avgpool.forward(f); Tensor flat = p.flatten(1, -1)) {
            return classifier.forward(flat);
        }
    }
}
