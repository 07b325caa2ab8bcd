package dev.panamax.detection;

import dev.panamax.models.ResNet;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ResNet body with a feature pyramid on layer1..layer4 and a max-pooled extra level, as
 * torchvision's {@code BackboneWithFPN} from {@code resnet_fpn_backbone}: children {@code body}
 * and {@code fpn}; feature maps named "0".."3" (strides 4 to 32) and "pool" (stride 64).
 */
public final class BackboneWithFPN extends Module {
    private final ResNetBody body;
    private final FeaturePyramidNetwork fpn;
    private final LastLevelMaxPool extraBlock = new LastLevelMaxPool();
    private final long outChannels;

    /**
     * @param layer1Channels the channels of the ResNet's layer1 output (64 for ResNet-18/34, 256
     *                       for ResNet-50/101); layer k has 2^(k-1) times as many
     */
    public BackboneWithFPN(ResNet resnet, long layer1Channels, int trainableLayers, long outChannels, Generator gen) {
        body = registerModule("body", new ResNetBody(resnet, trainableLayers));
        long[] inChannels = {layer1Channels, layer1Channels * 2, layer1Channels * 4, layer1Channels * 8};
        fpn = registerModule("fpn", new FeaturePyramidNetwork(inChannels, outChannels, gen));
        this.outChannels = outChannels;
    }

    public long outChannels() {
        return outChannels;
    }

    /** Not a single-output module: use {@link #features}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("BackboneWithFPN returns named feature maps: call features(images)");
    }

    /** The pyramid for images [N, 3, H, W], finest first: "0", "1", "2", "3", "pool". */
    public Map<String, Tensor> features(Tensor images) {
        List<Tensor> levels = body.features(images);
        List<Tensor> pyramid;
        try {
            pyramid = fpn.pyramid(levels);
        } finally {
            levels.forEach(Tensor::close);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < pyramid.size(); i++) {
            out.put(Integer.toString(i), pyramid.get(i));
        }
        out.put(LastLevelMaxPool.NAME, extraBlock.apply(pyramid.getLast()));
        return out;
    }
}
