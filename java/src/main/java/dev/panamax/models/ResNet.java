package dev.panamax.models;

import dev.panamax.nn.Activation;
import dev.panamax.nn.AdaptiveAvgPool2d;
import dev.panamax.nn.BatchNorm2d;
import dev.panamax.nn.Conv2d;
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
import java.util.function.LongFunction;

/**
 * Residual networks v1 (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016) in
 * torchvision's layout (the v1.5 variant: a bottleneck's stride sits on its 3×3 convolution):
 * ResNet-18/34 (basic blocks), ResNet-50/101 (bottlenecks), ResNeXt-50 32×4d (Xie et al., "Aggregated
 * Residual Transformations", CVPR 2017: grouped 3×3 convolutions) and Wide ResNet-50-2 (Zagoruyko and
 * Komodakis, "Wide Residual Networks", BMVC 2016: bottlenecks twice as wide). Names as torchvision
 * ({@code conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, fc}); its initialisation (He normal
 * over fan-out). A global average pool before {@code fc} makes any input from 32×32 work.
 */
public final class ResNet extends Module {
    private final Conv2d conv1;
    private final Module bn1;
    private final Activation relu;
    private final MaxPool2d maxpool;
    private final Sequential[] layers = new Sequential[4];
    private final AdaptiveAvgPool2d avgpool;
    private final Linear fc;

    /** Widths of the grouped 3×3 convolutions: groups × widthPerGroup channels per 64 planes. */
    private record Width(int groups, int perGroup) {}

    /** torchvision's {@code norm_layer}: the normalisation after each convolution, given its channel count. */
    public interface NormLayer extends LongFunction<Module> {}

    /** torchvision's default {@code norm_layer}. */
    public static final NormLayer BATCH_NORM = BatchNorm2d::new;

    private ResNet(boolean bottleneck, int[] blocks, Width width, int numClasses, int inChannels, NormLayer norm, Generator gen) {
        conv1 = registerModule("conv1", new Conv2d(inChannels, 64, 7, 7, ConvOptions.DEFAULT.stride(2).padding(3), false, gen));
        bn1 = registerModule("bn1", norm.apply(64));
        relu = registerModule("relu", Activation.relu());
        maxpool = registerModule("maxpool", new MaxPool2d(3, 2, 1));
        int expansion = bottleneck ? 4 : 1;
        long in = 64;
        for (int i = 0; i < 4; i++) {
            int planes = 64 << i;
            List<Module> stage = new ArrayList<>();
            for (int b = 0; b < blocks[i]; b++) {
                int stride = b == 0 && i > 0 ? 2 : 1;
                stage.add(bottleneck ? new Bottleneck(in, planes, stride, width, norm, gen) : new BasicBlock(in, planes, stride, norm, gen));
                in = (long) planes * expansion;
            }
            layers[i] = registerModule("layer" + (i + 1), new Sequential(stage.toArray(Module[]::new)));
        }
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        fc = registerModule("fc", new Linear(512L * expansion, numClasses, true, gen));
        Weights.kaimingNormalConvs(this, Init.FanMode.FAN_OUT, gen);
    }

    public static ResNet resnet18(int numClasses, int inChannels, Generator gen) {
        return resnet18(numClasses, inChannels, BATCH_NORM, gen);
    }

    /** ResNet-18 with another normalisation layer (detection backbones freeze theirs). */
    public static ResNet resnet18(int numClasses, int inChannels, NormLayer norm, Generator gen) {
        return new ResNet(false, new int[] {2, 2, 2, 2}, new Width(1, 64), numClasses, inChannels, norm, gen);
    }

    public static ResNet resnet34(int numClasses, int inChannels, Generator gen) {
        return new ResNet(false, new int[] {3, 4, 6, 3}, new Width(1, 64), numClasses, inChannels, BATCH_NORM, gen);
    }

    public static ResNet resnet50(int numClasses, int inChannels, Generator gen) {
        return resnet50(numClasses, inChannels, BATCH_NORM, gen);
    }

    /** ResNet-50 with another normalisation layer (detection backbones freeze theirs). */
    public static ResNet resnet50(int numClasses, int inChannels, NormLayer norm, Generator gen) {
        return new ResNet(true, new int[] {3, 4, 6, 3}, new Width(1, 64), numClasses, inChannels, norm, gen);
    }

    public static ResNet resnet101(int numClasses, int inChannels, Generator gen) {
        return new ResNet(true, new int[] {3, 4, 23, 3}, new Width(1, 64), numClasses, inChannels, BATCH_NORM, gen);
    }

    /** ResNeXt-50 with cardinality 32 and 4 channels per group. */
    public static ResNet resnext50_32x4d(int numClasses, int inChannels, Generator gen) {
        return new ResNet(true, new int[] {3, 4, 6, 3}, new Width(32, 4), numClasses, inChannels, BATCH_NORM, gen);
    }

    /** Wide ResNet-50-2: ResNet-50 with bottlenecks twice as wide. */
    public static ResNet wideResnet50_2(int numClasses, int inChannels, Generator gen) {
        return new ResNet(true, new int[] {3, 4, 6, 3}, new Width(1, 128), numClasses, inChannels, BATCH_NORM, gen);
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor f = Blocks.chain(x, conv1, bn1, relu, maxpool, layers[0], layers[1], layers[2], layers[3], avgpool);
             Tensor flat = f.flatten(1, -1)) {
            return fc.forward(flat);
        }
    }

    /** A 1×1 convolution with the block's stride and batch norm, matching the shortcut to the block's output; null if none is needed. */
    private static Sequential downsample(long in, long out, int stride, NormLayer norm, Generator gen) {
        if (stride == 1 && in == out) {
            return null;
        }
        return new Sequential(new Conv2d(in, out, 1, 1, ConvOptions.DEFAULT.stride(stride), false, gen), norm.apply(out));
    }

    /** Two 3×3 convolutions around a shortcut (ResNet-18/34). */
    public static final class BasicBlock extends Module {
        private final Conv2d conv1;
        private final Module bn1;
        private final Conv2d conv2;
        private final Module bn2;
        private final Sequential downsample;

        BasicBlock(long in, int planes, int stride, NormLayer norm, Generator gen) {
            conv1 = registerModule("conv1", new Conv2d(in, planes, 3, 3, ConvOptions.DEFAULT.stride(stride).padding(1), false, gen));
            bn1 = registerModule("bn1", norm.apply(planes));
            registerModule("relu", Activation.relu());
            conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, 3, ConvOptions.DEFAULT.padding(1), false, gen));
            bn2 = registerModule("bn2", norm.apply(planes));
            Sequential d = downsample(in, planes, stride, norm, gen);
            downsample = d == null ? null : registerModule("downsample", d);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor branch;
            try (Tensor a = conv1.forward(x); Tensor b = bn1.forward(a); Tensor r = b.relu(); Tensor c = conv2.forward(r)) {
                branch = bn2.forward(c);
            }
            return Blocks.addRelu(branch, downsample == null ? x.alias() : downsample.forward(x));
        }

        @Override
        protected List<Module> receptivePath() {
            return List.of(conv1, conv2);
        }
    }

    /** 1×1 reduce, 3×3 (strided, grouped), 1×1 expand by 4, around a shortcut (ResNet-50 and wider). */
    public static final class Bottleneck extends Module {
        private final Conv2d conv1;
        private final Module bn1;
        private final Conv2d conv2;
        private final Module bn2;
        private final Conv2d conv3;
        private final Module bn3;
        private final Sequential downsample;

        private Bottleneck(long in, int planes, int stride, Width w, NormLayer norm, Generator gen) {
            long width = (long) planes * w.perGroup() / 64 * w.groups();
            long out = planes * 4L;
            conv1 = registerModule("conv1", new Conv2d(in, width, 1, 1, ConvOptions.DEFAULT, false, gen));
            bn1 = registerModule("bn1", norm.apply(width));
            conv2 = registerModule("conv2", new Conv2d(width, width, 3, 3,
                    ConvOptions.DEFAULT.stride(stride).padding(1).groups(w.groups()), false, gen));
            bn2 = registerModule("bn2", norm.apply(width));
            conv3 = registerModule("conv3", new Conv2d(width, out, 1, 1, ConvOptions.DEFAULT, false, gen));
            bn3 = registerModule("bn3", norm.apply(out));
            registerModule("relu", Activation.relu());
            Sequential d = downsample(in, out, stride, norm, gen);
            downsample = d == null ? null : registerModule("downsample", d);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor branch;
            try (Tensor a = conv1.forward(x); Tensor b = bn1.forward(a); Tensor r = b.relu(); Tensor c = conv2.forward(r);
                 Tensor d = bn2.forward(c); Tensor s = d.relu(); Tensor e = conv3.forward(s)) {
                branch = bn3.forward(e);
            }
            return Blocks.addRelu(branch, downsample == null ? x.alias() : downsample.forward(x));
        }

        @Override
        protected List<Module> receptivePath() {
            return List.of(conv1, conv2, conv3);
        }
    }
}
