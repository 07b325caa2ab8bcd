package dev.panamax.models;

import dev.panamax.nn.BatchNorm2d;
import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Flatten;
import dev.panamax.nn.GlobalPool2d;
import dev.panamax.nn.Init;
import dev.panamax.nn.MaxPool2d;
import dev.panamax.nn.Module;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pre-activation ResNet v2 (He et al., "Identity Mappings in Deep Residual Networks", ECCV 2016) in
 * timm's {@code resnetv2_50} layout: a 7×7/2 stem convolution and 3×3/2 max pool without
 * normalisation, stages of pre-activation bottlenecks (BN-ReLU before each convolution, the
 * shortcut a strided 1×1 convolution of the pre-activated input where the shape changes, stride on
 * the 3×3), a final BN-ReLU ({@code norm}), global average pooling and a 1×1-convolution classifier
 * ({@code head.fc}); timm's initialisation (He normal over fan-out, the last convolution of each
 * block zero, head N(0, 0.01²)). ResNetV2-50 has 25,549,352 parameters.
 */
public final class ResNetV2 extends Module {
    private final Sequential stem;
    private final Sequential stages;
    private final BatchNorm2d norm;
    private final Sequential head;

    private ResNetV2(int[] depths, int numClasses, int inChannels, Generator gen) {
        Map<String, Module> stemLayers = new LinkedHashMap<>();
        stemLayers.put("conv", new Conv2d(inChannels, 64, 7, 7, ConvOptions.DEFAULT.stride(2).padding(3), false, gen));
        stemLayers.put("pool", new MaxPool2d(3, 2, 1));
        stem = registerModule("stem", new Sequential(stemLayers));
        List<Module> stageList = new ArrayList<>();
        long in = 64;
        for (int i = 0; i < depths.length; i++) {
            long out = 256L << i;
            List<Module> blocks = new ArrayList<>();
            for (int b = 0; b < depths[i]; b++) {
                blocks.add(new PreActBottleneck(in, out, b == 0 && i > 0 ? 2 : 1, gen));
                in = out;
            }
            stageList.add(new Sequential(Map.of("blocks", new Sequential(blocks.toArray(Module[]::new)))));
        }
        stages = registerModule("stages", new Sequential(stageList.toArray(Module[]::new)));
        norm = registerModule("norm", new BatchNorm2d(in));
        Map<String, Module> headLayers = new LinkedHashMap<>();
        headLayers.put("global_pool", new GlobalPool2d(GlobalPool2d.Kind.AVG, false));
        Conv2d fc = new Conv2d(in, numClasses, 1, 1, ConvOptions.DEFAULT, true, gen);
        headLayers.put("fc", fc);
        headLayers.put("flatten", new Flatten());
        head = registerModule("head", new Sequential(headLayers));
        Weights.kaimingNormalConvs(this, Init.FanMode.FAN_OUT, gen);
        Init.normal_(fc.weight(), 0, 0.01, gen);
        for (Module m : modules()) {
            if (m instanceof PreActBottleneck block) {
                Init.zeros_(block.conv3.weight());
            }
        }
    }

    /** timm's resnetv2_50: stages of 3, 4, 6, 3 blocks. */
    public static ResNetV2 resnetv2_50(int numClasses, int inChannels, Generator gen) {
        return new ResNetV2(new int[] {3, 4, 6, 3}, numClasses, inChannels, gen);
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor features = Blocks.chain(x, stem, stages, norm); Tensor activated = features.relu()) {
            return head.forward(activated);
        }
    }

    /** BN-ReLU, 1×1 reduce by 4, BN-ReLU, 3×3 (strided), BN-ReLU, 1×1 expand; the shortcut from the pre-activated input when it must change shape. */
    public static final class PreActBottleneck extends Module {
        private final Sequential downsample;
        private final BatchNorm2d norm1;
        private final Conv2d conv1;
        private final BatchNorm2d norm2;
        private final Conv2d conv2;
        private final BatchNorm2d norm3;
        private final Conv2d conv3;

        private PreActBottleneck(long in, long out, int stride, Generator gen) {
            long mid = out / 4;
            downsample = in == out && stride == 1 ? null : registerModule("downsample",
                    new Sequential(Map.of("conv", new Conv2d(in, out, 1, 1, ConvOptions.DEFAULT.stride(stride), false, gen))));
            norm1 = registerModule("norm1", new BatchNorm2d(in));
            conv1 = registerModule("conv1", new Conv2d(in, mid, 1, 1, ConvOptions.DEFAULT, false, gen));
            norm2 = registerModule("norm2", new BatchNorm2d(mid));
            conv2 = registerModule("conv2", new Conv2d(mid, mid, 3, 3, ConvOptions.DEFAULT.stride(stride).padding(1), false, gen));
            norm3 = registerModule("norm3", new BatchNorm2d(mid));
            conv3 = registerModule("conv3", new Conv2d(mid, out, 1, 1, ConvOptions.DEFAULT, false, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor n1 = norm1.forward(x); Tensor preact = n1.relu();
                 Tensor shortcut = downsample == null ? x.alias() : downsample.forward(preact);
                 Tensor a = conv1.forward(preact); Tensor n2 = norm2.forward(a); Tensor r2 = n2.relu(); Tensor b = conv2.forward(r2);
                 Tensor n3 = norm3.forward(b); Tensor r3 = n3.relu(); Tensor c = conv3.forward(r3)) {
                return c.add(shortcut);
            }
        }

        @Override
        protected List<Module> receptivePath() {
            return List.of(conv1, conv2, conv3);
        }
    }
}
