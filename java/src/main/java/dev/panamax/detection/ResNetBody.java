package dev.panamax.detection;

import dev.panamax.models.ResNet;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A ResNet without its classifier, returning the outputs of layer1..layer4 (torchvision's
 * {@code IntermediateLayerGetter} over a ResNet): the children keep the ResNet's names, so the
 * state-dict keys are {@code conv1.weight}, {@code layer1.0.conv1.weight}, ... as torchvision's
 * {@code backbone.body}.
 */
public final class ResNetBody extends Module {
    private static final List<String> STEM = List.of("conv1", "bn1", "relu", "maxpool");
    private static final List<String> LAYERS = List.of("layer1", "layer2", "layer3", "layer4");

    /**
     * Takes over the ResNet's stem and layers (its pooling and classifier are closed).
     *
     * @param trainableLayers how many of layer4, layer3, layer2, layer1, conv1 (counted from the
     *                        top) keep learning, 0 to 5, as torchvision's
     *                        {@code trainable_backbone_layers}; with 5, bn1 learns too
     */
    public ResNetBody(ResNet resnet, int trainableLayers) {
        if (trainableLayers < 0 || trainableLayers > 5) {
            throw new IllegalArgumentException("ResNetBody: trainableLayers must be 0 to 5, got " + trainableLayers);
        }
        Map<String, Module> parts = resnet.children();
        for (String name : STEM) {
            registerModule(name, parts.get(name));
        }
        for (String name : LAYERS) {
            registerModule(name, parts.get(name));
        }
        parts.forEach((name, m) -> {
            if (!STEM.contains(name) && !LAYERS.contains(name)) {
                m.close();
            }
        });
        freezeAllBut(trainableLayers);
    }

    private void freezeAllBut(int trainableLayers) {
        List<String> trainable = new ArrayList<>(List.of("layer4", "layer3", "layer2", "layer1", "conv1").subList(0, trainableLayers));
        if (trainableLayers == 5) {
            trainable.add("bn1");
        }
        namedParameters().forEach(p -> {
            String top = p.name().substring(0, p.name().indexOf('.'));
            if (!trainable.contains(top)) {
                p.tensor().requiresGrad(false);
            }
        });
    }

    /** Not a single-output module: use {@link #features}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ResNetBody returns four feature maps: call features(images)");
    }

    /** The outputs of layer1..layer4 for images [N, C, H, W], at strides 4, 8, 16 and 32. */
    public List<Tensor> features(Tensor images) {
        Tensor x = images.alias();
        for (String name : STEM) {
            try (Tensor in = x) {
                x = children().get(name).forward(in);
            }
        }
        List<Tensor> out = new ArrayList<>();
        try (Tensor stem = x) {
            for (String name : LAYERS) {
                x = children().get(name).forward(x);
                out.add(x);
            }
        }
        return out;
    }
}
