package dev.panamax.models;

import dev.panamax.nn.Activation;
import dev.panamax.nn.AdaptiveAvgPool2d;
import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Dropout;
import dev.panamax.nn.Linear;
import dev.panamax.nn.LocalResponseNorm;
import dev.panamax.nn.MaxPool2d;
import dev.panamax.nn.Module;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * AlexNet (Krizhevsky, Sutskever and Hinton, "ImageNet Classification with Deep Convolutional
 * Neural Networks", NeurIPS 2012): five convolutions with overlapping 3×3/2 max pooling, then three
 * fully connected layers with dropout. {@link #torchvision} is torchvision's layout (64-192-384-256-256
 * channels, no LRN; 61,100,840 parameters for 1000 classes), the default; {@link #paper} is the
 * paper's (96-256-384-384-256 channels, local response normalisation with k = 2, n = 5,
 * α = 1e-4, β = 0.75 after the first two convolutions (the paper's α multiplies the plain sum of
 * squares, so PyTorch's alpha, which is divided by n, is 5e-4), and the two-GPU split as groups of 2 in
 * conv2, conv4 and conv5: 60,965,224 parameters, as Caffe's bvlc_alexnet). Both pad conv1 by 2 so a
 * 224×224 input gives the 6×6×256 map, and pool adaptively to 6×6 so smaller inputs (from 63×63) work.
 * Names as torchvision: {@code features.N}, {@code avgpool}, {@code classifier.N}.
 */
public final class AlexNet extends Module {
    private final Sequential features;
    private final AdaptiveAvgPool2d avgpool;
    private final Sequential classifier;

    private AlexNet(List<Module> features, int lastChannels, int numClasses, double dropout, Generator gen) {
        this.features = registerModule("features", new Sequential(features.toArray(Module[]::new)));
        this.avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(6));
        this.classifier = registerModule("classifier", new Sequential(
                new Dropout(dropout), new Linear((long) lastChannels * 36, 4096, true, gen), Activation.relu(),
                new Dropout(dropout), new Linear(4096, 4096, true, gen), Activation.relu(),
                new Linear(4096, numClasses, true, gen)));
    }

    /** torchvision's AlexNet for ImageNet: 1000 classes, RGB. */
    public static AlexNet torchvision() {
        return torchvision(1000, 3, Generator.global());
    }

    /** torchvision's layout, PyTorch's default initialisation (as torchvision). */
    public static AlexNet torchvision(int numClasses, int inChannels, Generator gen) {
        List<Module> f = List.of(
                conv(inChannels, 64, 11, ConvOptions.DEFAULT.stride(4).padding(2), 1, gen), Activation.relu(), pool(),
                conv(64, 192, 5, ConvOptions.DEFAULT.padding(2), 1, gen), Activation.relu(), pool(),
                conv(192, 384, 3, ConvOptions.DEFAULT.padding(1), 1, gen), Activation.relu(),
                conv(384, 256, 3, ConvOptions.DEFAULT.padding(1), 1, gen), Activation.relu(),
                conv(256, 256, 3, ConvOptions.DEFAULT.padding(1), 1, gen), Activation.relu(), pool());
        return new AlexNet(f, 256, numClasses, 0.5, gen);
    }

    /** The paper's layout for ImageNet: 1000 classes, RGB. */
    public static AlexNet paper() {
        return paper(1000, 3, Generator.global());
    }

    /** The paper's layout: LRN after the ReLUs of conv1 and conv2, then overlapping pooling; grouped conv2, conv4, conv5. */
    public static AlexNet paper(int numClasses, int inChannels, Generator gen) {
        List<Module> f = new ArrayList<>(List.of(
                conv(inChannels, 96, 11, ConvOptions.DEFAULT.stride(4).padding(2), 1, gen), Activation.relu(), lrn(), pool(),
                conv(96, 256, 5, ConvOptions.DEFAULT.padding(2), 2, gen), Activation.relu(), lrn(), pool(),
                conv(256, 384, 3, ConvOptions.DEFAULT.padding(1), 1, gen), Activation.relu(),
                conv(384, 384, 3, ConvOptions.DEFAULT.padding(1), 2, gen), Activation.relu(),
                conv(384, 256, 3, ConvOptions.DEFAULT.padding(1), 2, gen), Activation.relu(), pool()));
        return new AlexNet(f, 256, numClasses, 0.5, gen);
    }

    private static Conv2d conv(long in, long out, int k, ConvOptions o, int groups, Generator gen) {
        return new Conv2d(in, out, k, k, o.groups(groups), true, gen);
    }

    /** Overlapping pooling: 3×3 windows, stride 2. */
    private static MaxPool2d pool() {
        return new MaxPool2d(3, 2, 0);
    }

    private static LocalResponseNorm lrn() {
        return new LocalResponseNorm(5, 5 * 1e-4, 0.75, 2);
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor f = features.forward(x); Tensor p = avgpool.forward(f); Tensor flat = p.flatten(1, -1)) {
            return classifier.forward(flat);
        }
    }
}
