package dev.panamax.detection;

import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Init;
import dev.panamax.nn.Module;
import dev.panamax.nn.ModuleList;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Lin et al., "Feature Pyramid Networks for Object Detection", CVPR 2017, as torchvision's
 * {@code FeaturePyramidNetwork}: a 1×1 lateral convolution per input level ({@code inner_blocks.i.0}),
 * a top-down path adding each coarser level upsampled (nearest) to the finer one, and a 3×3
 * convolution per level ({@code layer_blocks.i.0}); all with bias, weights Kaiming-uniform (a = 1),
 * biases zero.
 */
public final class FeaturePyramidNetwork extends Module {
    private final ModuleList innerBlocks;
    private final ModuleList layerBlocks;

    public FeaturePyramidNetwork(long[] inChannels, long outChannels, Generator gen) {
        List<Module> inner = new ArrayList<>();
        List<Module> layer = new ArrayList<>();
        for (long in : inChannels) {
            inner.add(new Sequential(conv(in, outChannels, 1, gen)));
            layer.add(new Sequential(conv(outChannels, outChannels, 3, gen)));
        }
        innerBlocks = registerModule("inner_blocks", new ModuleList(inner));
        layerBlocks = registerModule("layer_blocks", new ModuleList(layer));
    }

    private static Conv2d conv(long in, long out, int kernel, Generator gen) {
        Conv2d c = new Conv2d(in, out, kernel, kernel, ConvOptions.DEFAULT.padding(kernel / 2), true, gen);
        Init.kaimingUniform_(c.weight(), 1, Init.FanMode.FAN_IN, "leaky_relu", gen);
        Init.zeros_(c.bias());
        return c;
    }

    /** Not a single-input module: use {@link #pyramid}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("FeaturePyramidNetwork combines several feature maps: call pyramid(features)");
    }

    /** One output of {@code outChannels} per input level, finest first, each the size of its input. */
    public List<Tensor> pyramid(List<Tensor> features) {
        int levels = innerBlocks.size();
        if (features.size() != levels) {
            throw new IllegalArgumentException("FeaturePyramidNetwork: expected " + levels + " feature maps, got " + features.size());
        }
        Tensor[] results = new Tensor[levels];
        Tensor last = innerBlocks.get(levels - 1).forward(features.get(levels - 1));
        results[levels - 1] = layerBlocks.get(levels - 1).forward(last);
        for (int i = levels - 2; i >= 0; i--) {
            Tensor lateral = innerBlocks.get(i).forward(features.get(i));
            try (lateral; Tensor coarser = last; Tensor topDown = Resize.nearest(coarser, lateral.size(2), lateral.size(3))) {
                last = lateral.add(topDown);
            }
            results[i] = layerBlocks.get(i).forward(last);
        }
        last.close();
        return List.of(results);
    }
}
