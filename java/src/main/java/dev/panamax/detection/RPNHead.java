package dev.panamax.detection;

import dev.panamax.nn.Activation;
import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Init;
import dev.panamax.nn.Module;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The region proposal network's head, as torchvision's {@code RPNHead}: a shared 3×3 convolution
 * with ReLU ({@code conv.0.0}), then per location an objectness logit ({@code cls_logits}) and
 * four box deltas ({@code bbox_pred}) for each of A anchors; weights N(0, 0.01²), biases zero.
 */
public final class RPNHead extends Module {
    private final Sequential conv;
    private final Conv2d clsLogits;
    private final Conv2d bboxPred;

    /** The head's outputs per level: objectness [N, A, H, W] and deltas [N, 4A, H, W]. */
    public record Output(List<Tensor> objectness, List<Tensor> deltas) implements AutoCloseable {
        @Override
        public void close() {
            objectness.forEach(Tensor::close);
            deltas.forEach(Tensor::close);
        }
    }

    public RPNHead(long inChannels, int numAnchors, Generator gen) {
        conv = registerModule("conv", new Sequential(new Sequential(
                new Conv2d(inChannels, inChannels, 3, 3, ConvOptions.DEFAULT.padding(1), true, gen), Activation.relu())));
        clsLogits = registerModule("cls_logits", new Conv2d(inChannels, numAnchors, 1, 1, ConvOptions.DEFAULT, true, gen));
        bboxPred = registerModule("bbox_pred", new Conv2d(inChannels, 4L * numAnchors, 1, 1, ConvOptions.DEFAULT, true, gen));
        for (Module m : modules()) {
            if (m instanceof Conv2d c) {
                Init.normal_(c.weight(), 0, 0.01, gen);
                Init.zeros_(c.bias());
            }
        }
    }

    /** Not a single-output module: use {@link #predict}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("RPNHead predicts objectness and deltas per level: call predict(features)");
    }

    public Output predict(List<Tensor> features) {
        List<Tensor> objectness = new ArrayList<>();
        List<Tensor> deltas = new ArrayList<>();
        for (Tensor feature : features) {
            try (Tensor t = conv.forward(feature)) {
                objectness.add(clsLogits.forward(t));
                deltas.add(bboxPred.forward(t));
            }
        }
        return new Output(objectness, deltas);
    }
}
