package dev.panamax.detection;

import dev.panamax.nn.Module;
import dev.panamax.ops.BoxOps;
import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The second stage of Faster R-CNN, as torchvision's {@code RoIHeads} (boxes only): pools each
 * proposal's features ({@link MultiScaleRoIAlign}), runs the box head ({@code box_head}) and
 * predictor ({@code box_predictor}). Training adds the ground-truth boxes to the proposals, matches
 * (IoU ≥ fg positive with the box's class, &lt; bg background), samples per image, and returns
 * torchvision's fastrcnn_loss: cross entropy plus smooth L1 (beta 1/9) of the true class's deltas
 * over positives, divided by the sample size. Evaluation decodes a box per class, clips it, drops
 * the background, low scores and tiny boxes, suppresses per class and keeps the best.
 */
public final class RoIHeads extends Module {
    private static final double SMOOTH_L1_BETA = 1.0 / 9;
    /** torchvision's postprocess_detections drops boxes smaller than this on either side. */
    private static final double MIN_SIZE = 1e-2;

    private final MultiScaleRoIAlign boxRoiPool;
    private final TwoMLPHead boxHead;
    private final FastRCNNPredictor boxPredictor;
    private final Settings settings;
    private final BoxCoder boxCoder = new BoxCoder(10, 10, 5, 5, BoxCoder.DEFAULT_CLIP);
    private final Matcher matcher;
    private final BalancedPositiveNegativeSampler sampler;

    /** torchvision's box_* arguments of FasterRCNN. */
    public record Settings(double fgIouThresh, double bgIouThresh, int batchSizePerImage, double positiveFraction, double scoreThresh,
                           double nmsThresh, int detectionsPerImage) {
        /** torchvision's Faster R-CNN defaults. */
        public static final Settings DEFAULT = new Settings(0.5, 0.5, 512, 0.25, 0.05, 0.5, 100);
    }

    public RoIHeads(MultiScaleRoIAlign boxRoiPool, TwoMLPHead boxHead, FastRCNNPredictor boxPredictor, Settings settings, Generator generator) {
        this.boxRoiPool = boxRoiPool;
        this.boxHead = registerModule("box_head", boxHead);
        this.boxPredictor = registerModule("box_predictor", boxPredictor);
        this.settings = settings;
        this.matcher = new Matcher(settings.fgIouThresh(), settings.bgIouThresh(), false);
        this.sampler = new BalancedPositiveNegativeSampler(settings.batchSizePerImage(), settings.positiveFraction(), generator);
    }

    /** Not a single-input module: use {@link #losses} or {@link #detect}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("RoIHeads needs features, proposals and image sizes: call losses(...) or detect(...)");
    }

    private FastRCNNPredictor.Output predict(Map<String, Tensor> features, List<Tensor> proposals, List<int[]> imageSizes) {
        try (Tensor pooled = boxRoiPool.pool(features, proposals, imageSizes); Tensor represented = boxHead.forward(pooled)) {
            return boxPredictor.predict(represented);
        }
    }

    /** The training samples of one image: proposals, class labels (0 background) and the positives' regression targets. */
    private record Samples(Tensor proposals, long[] labels, Tensor positiveTargets) implements AutoCloseable {
        @Override
        public void close() {
            proposals.close();
            positiveTargets.close();
        }
    }

    /** loss_classifier and loss_box_reg for proposals per image ([P_i, 4], batch pixels) and targets. */
    public Map<String, Tensor> losses(Map<String, Tensor> features, List<Tensor> proposals, List<int[]> imageSizes, List<Target> targets) {
        List<Samples> samples = new ArrayList<>();
        try {
            for (int i = 0; i < proposals.size(); i++) {
                samples.add(sample(proposals.get(i), targets.get(i)));
            }
            long[] labels = samples.stream().flatMapToLong(s -> Arrays.stream(s.labels())).toArray();
            try (FastRCNNPredictor.Output out = predict(features, samples.stream().map(Samples::proposals).toList(), imageSizes);
                 Tensor wanted = Tensor.cat(samples.stream().map(Samples::positiveTargets).toList(), 0)) {
                return fastRcnnLoss(out.classLogits(), out.boxRegression(), labels, wanted);
            }
        } finally {
            samples.forEach(Samples::close);
        }
    }

    private Samples sample(Tensor proposals, Target target) {
        try (Tensor candidates = Tensor.cat(List.of(proposals, target.boxes()), 0)) {
            int count = (int) candidates.size(0);
            long[] labels = new long[count];
            int[] matches = new int[count];
            if (target.size() > 0) {
                long[] gtLabels = target.labels().toLongArray();
                try (Tensor iou = BoxOps.boxIou(target.boxes(), candidates)) {
                    matches = matcher.match(iou);
                }
                for (int k = 0; k < count; k++) {
                    labels[k] = matches[k] >= 0 ? gtLabels[matches[k]] : matches[k] == Matcher.BETWEEN_THRESHOLDS ? -1 : 0;
                }
            }
            int[] chosen = sampler.sample(IntStream.range(0, count).map(k -> (int) Math.signum(labels[k])).toArray()).all();
            int[] positives = IntStream.of(chosen).filter(k -> labels[k] > 0).toArray();
            long[] chosenLabels = IntStream.of(chosen).mapToLong(k -> labels[k]).toArray();
            return new Samples(Tensors.rows(candidates, chosen), chosenLabels,
                    RegressionTargets.encode(boxCoder, target.boxes(), candidates, positives, matches));
        }
    }

    /**
     * torchvision's fastrcnn_loss over the sampled proposals of all images.
     *
     * @param positiveTargets the regression targets of the positives ([P, 4], in sample order)
     */
    private static Map<String, Tensor> fastRcnnLoss(Tensor classLogits, Tensor boxRegression, long[] labels, Tensor positiveTargets) {
        int n = labels.length;
        long classes = classLogits.size(1);
        long[] positiveRows = IntStream.range(0, n).filter(k -> labels[k] > 0).mapToLong(k -> k * classes + labels[k]).toArray();
        Map<String, Tensor> losses = new LinkedHashMap<>();
        try (Tensor target = Tensor.of(labels, n)) {
            losses.put("loss_classifier", Loss.crossEntropy(classLogits, target));
        }
        try (Tensor perClass = boxRegression.reshape(n * classes, 4); Tensor rows = Tensor.of(positiveRows, positiveRows.length);
             Tensor trueClass = perClass.indexSelect(0, rows);
             Tensor sum = Loss.smoothL1Loss(trueClass, positiveTargets, LossReduction.SUM, SMOOTH_L1_BETA)) {
            losses.put("loss_box_reg", sum.div(n));
        }
        return losses;
    }

    /** Detections per image in the batch's pixels, for proposals per image. */
    public List<Detections> detect(Map<String, Tensor> features, List<Tensor> proposals, List<int[]> imageSizes) {
        List<Detections> result = new ArrayList<>();
        try (FastRCNNPredictor.Output out = predict(features, proposals, imageSizes);
             Tensor allProposals = Tensor.cat(proposals, 0);
             Tensor boxes = boxCoder.decode(out.boxRegression(), allProposals);
             Tensor scores = out.classLogits().softmax(-1)) {
            long start = 0;
            for (int i = 0; i < proposals.size(); i++) {
                long count = proposals.get(i).size(0);
                try (Tensor imageBoxes = boxes.narrow(0, start, count); Tensor imageScores = scores.narrow(0, start, count)) {
                    result.add(postprocess(imageBoxes, imageScores, imageSizes.get(i)));
                }
                start += count;
            }
        }
        return result;
    }

    /** One image's [K, C, 4] boxes and [K, C] scores to detections (torchvision's postprocess_detections). */
    private Detections postprocess(Tensor boxes, Tensor scores, int[] imageSize) {
        long classes = boxes.size(1);
        // class c of proposal p sits at row p·C + c; the background (c = 0) never becomes a detection
        float[] rowScores = scores.toFloatArray();
        int[] confident = IntStream.range(0, rowScores.length)
                .filter(r -> r % classes != 0 && rowScores[r] > settings.scoreThresh()).toArray();
        try (Tensor flatBoxes = boxes.reshape(-1, 4); Tensor clipped = BoxOps.clipBoxesToImage(flatBoxes, imageSize[0], imageSize[1]);
             Tensor candidates = Tensors.rows(clipped, confident); Tensor bigIndex = BoxOps.removeSmallBoxes(candidates, MIN_SIZE)) {
            int[] big = Tensors.firstIndices(bigIndex, Integer.MAX_VALUE);
            float[] bigScores = new float[big.length];
            long[] bigLabels = new long[big.length];
            for (int j = 0; j < big.length; j++) {
                bigScores[j] = rowScores[confident[big[j]]];
                bigLabels[j] = confident[big[j]] % classes;
            }
            try (Tensor bigBoxes = Tensors.rows(candidates, big); Tensor s = Tensor.of(bigScores, big.length);
                 Tensor labels = Tensor.of(bigLabels, big.length);
                 Tensor kept = BoxOps.batchedNms(bigBoxes, s, labels, settings.nmsThresh())) {
                int[] keep = Tensors.firstIndices(kept, settings.detectionsPerImage());
                return new Detections(Tensors.rows(bigBoxes, keep), Tensors.rows(labels, keep), Tensors.rows(s, keep));
            }
        }
    }
}
