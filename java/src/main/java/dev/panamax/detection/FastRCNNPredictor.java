package dev.panamax.detection;

import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** torchvision's {@code FastRCNNPredictor}: class logits ({@code cls_score}) and per-class box deltas ({@code bbox_pred}). */
public final class FastRCNNPredictor extends Module {
    private final Linear clsScore;
    private final Linear bboxPred;

    /** Class logits [K, numClasses] and box deltas [K, 4 · numClasses]. */
    public record Output(Tensor classLogits, Tensor boxRegression) implements AutoCloseable {
        @Override
        public void close() {
            classLogits.close();
            boxRegression.close();
        }
    }

    public FastRCNNPredictor(long inChannels, int numClasses, Generator gen) {
        clsScore = registerModule("cls_score", new Linear(inChannels, numClasses, true, gen));
        bboxPred = registerModule("bbox_pred", new Linear(inChannels, 4L * numClasses, true, gen));
    }

    /** Not a single-output module: use {@link #predict}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("FastRCNNPredictor has two outputs: call predict(features)");
    }

    public Output predict(Tensor features) {
        return new Output(clsScore.forward(features), bboxPred.forward(features));
    }
}
