package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import java.util.stream.IntStream;

/** The regression targets of sampled positives, as both stages of Faster R-CNN build them. */
final class RegressionTargets {
    private RegressionTargets() {}

    /**
     * The codes [P, 4] that move each positive reference box (anchor or proposal) onto the ground-truth
     * box it matched.
     *
     * @param positives indices into {@code references}
     * @param matches   per reference, the index of its ground-truth box
     */
    static Tensor encode(BoxCoder coder, Tensor gtBoxes, Tensor references, int[] positives, int[] matches) {
        if (positives.length == 0) {
            return Tensor.zeros(0, 4);
        }
        int[] matched = IntStream.of(positives).map(k -> matches[k]).toArray();
        try (Tensor gt = Tensors.rows(gtBoxes, matched); Tensor from = Tensors.rows(references, positives)) {
            return coder.encode(gt, from);
        }
    }
}
