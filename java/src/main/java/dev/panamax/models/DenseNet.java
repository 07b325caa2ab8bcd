package dev.panamax.models;

import dev.panamax.nn.Activation;
import dev.panamax.nn.AvgPool2d;
import dev.panamax.nn.BatchNorm2d;
import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Init;
import dev.panamax.nn.Linear;
import dev.panamax.nn.MaxPool2d;
import dev.panamax.nn.Module;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DenseNet-BC (Huang et al., "Densely Connected Convolutional Networks", CVPR 2017) in torchvision's
 * layout: a 7×7/2 stem with 3×3/2 max pooling, dense blocks whose layers (BN-ReLU-1×1 to
 * 4·growth channels, BN-ReLU-3×3 to growth channels) each see the concatenation of all earlier
 * feature maps, transitions halving channels and resolution (BN-ReLU-1×1, 2×2 average pooling), a
 * final BN, ReLU, global average pooling and a linear classifier. Names as torchvision
 * ({@code features.denseblock1.denselayer1.norm1}); its initialisation. DenseNet-121 (growth 32,
 * blocks 6-12-24-16) has 7,978,856 parameters and takes inputs from 32×32.
 */
public final class DenseNet extends Module {
    private final Sequential features;
    private final Linear classifier;

    private DenseNet(int growth, int[] blockConfig, int initFeatures, int numClasses, int inChannels, Generator gen) {
        Map<String, Module> f = new LinkedHashMap<>();
        f.put("conv0", new Conv2d(inChannels, initFeatures, 7, 7, ConvOptions.DEFAULT.stride(2).padding(3), false, gen));
        f.put("norm0", new BatchNorm2d(initFeatures));
        f.put("relu0", Activation.relu());
        f.put("pool0", new MaxPool2d(3, 2, 1));
        long channels = initFeatures;
        for (int i = 0; i < blockConfig.length; i++) {
            f.put("denseblock" + (i + 1), new DenseBlock(blockConfig[i], channels, 4, growth, gen));
            channels += (long) blockConfig[i] * growth;
            if (i != blockConfig.length - 1) {
                Map<String, Module> t = new LinkedHashMap<>();
                t.put("norm", new BatchNorm2d(channels));
                t.put("relu", Activation.relu());
                t.put("conv", new Conv2d(channels, channels / 2, 1, 1, ConvOptions.DEFAULT, false, gen));
                t.put("pool", new AvgPool2d(2, 2, 0));
                f.put("transition" + (i + 1), new Sequential(t));
                channels /= 2;
            }
        }
        f.put("norm5", new BatchNorm2d(channels));
        features = registerModule("features", new Sequential(f));
        classifier = registerModule("classifier", new Linear(channels, numClasses, true, gen));
        Weights.kaimingNormalConvs(this, Init.FanMode.FAN_IN, gen);
        Weights.zeroLinearBiases(this);
    }

    /** DenseNet-121: growth rate 32, blocks of 6, 12, 24 and 16 layers, 64 stem channels. */
    public static DenseNet densenet121(int numClasses, int inChannels, Generator gen) {
        return new DenseNet(32, new int[] {6, 12, 24, 16}, 64, numClasses, inChannels, gen);
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor f = features.forward(x); Tensor r = f.relu(); Tensor p = Pooling.globalAvgPool2d(r); Tensor flat = p.flatten(1, -1)) {
            return classifier.forward(flat);
        }
    }

    /** Layers that each add {@code growth} channels computed from all the channels before them. */
    static final class DenseBlock extends Module {
        private final List<Sequential> layers;

        DenseBlock(int numLayers, long in, int bottleneckFactor, int growth, Generator gen) {
            Sequential[] ls = new Sequential[numLayers];
            for (int i = 0; i < numLayers; i++) {
                long channels = in + (long) i * growth;
                Map<String, Module> l = new LinkedHashMap<>();
                l.put("norm1", new BatchNorm2d(channels));
                l.put("relu1", Activation.relu());
                l.put("conv1", new Conv2d(channels, (long) bottleneckFactor * growth, 1, 1, ConvOptions.DEFAULT, false, gen));
                l.put("norm2", new BatchNorm2d((long) bottleneckFactor * growth));
                l.put("relu2", Activation.relu());
                l.put("conv2", new Conv2d((long) bottleneckFactor * growth, growth, 3, 3, ConvOptions.DEFAULT.padding(1), false, gen));
                ls[i] = registerModule("denselayer" + (i + 1), new Sequential(l));
            }
            layers = List.of(ls);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor all = x.alias();
            for (Sequential layer : layers) {
                try (Tensor previous = all; Tensor added = layer.forward(previous)) {
                    all = Tensor.cat(List.of(previous, added), 1);
                }
            }
            return all;
        }
    }
}
