package dev.panamax.detection;

import dev.panamax.nn.Module;
import dev.panamax.ops.BoxOps;
import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Ren et al., "Faster R-CNN", NeurIPS 2015, the region proposal network, as torchvision's
 * {@code RegionProposalNetwork}: the head scores and refines every anchor; per image and level the
 * best pre-NMS top-n anchors become boxes, which are clipped, filtered (min size, score threshold),
 * suppressed per level (NMS) and cut to the post-NMS top-n. In training, anchors are matched to the
 * ground truth (IoU ≥ fg positive, &lt; bg negative, best anchor of each box positive), a balanced
 * sample is drawn per image, and the losses are binary cross entropy on the objectness and smooth
 * L1 (beta 1/9) summed over positives divided by the sample size.
 */
public final class RegionProposalNetwork extends Module {
    private static final double SMOOTH_L1_BETA = 1.0 / 9;
    /** torchvision's RPN drops proposals smaller than this (in pixels) on either side. */
    private static final double MIN_SIZE = 1e-3;

    private final RPNHead head;
    private final AnchorGenerator anchorGenerator;
    private final Settings settings;
    private final BoxCoder boxCoder = new BoxCoder(1, 1, 1, 1, BoxCoder.DEFAULT_CLIP);
    private final Matcher matcher;
    private final BalancedPositiveNegativeSampler sampler;

    /**
     * The RPN's hyper-parameters, torchvision's names.
     *
     * @param preNmsTopNTrain  per image and level, the anchors kept before NMS in training (test: preNmsTopNTest)
     * @param postNmsTopNTrain per image, the proposals kept after NMS in training (test: postNmsTopNTest)
     */
    public record Settings(int preNmsTopNTrain, int preNmsTopNTest, int postNmsTopNTrain, int postNmsTopNTest, double nmsThresh,
                           double fgIouThresh, double bgIouThresh, int batchSizePerImage, double positiveFraction, double scoreThresh) {
        /** torchvision's Faster R-CNN defaults. */
        public static final Settings DEFAULT = new Settings(2000, 1000, 2000, 1000, 0.7, 0.7, 0.3, 256, 0.5, 0.0);
    }

    /** Proposals per image ([P_i, 4], no gradient) and, in training, the two losses. */
    public record Output(List<Tensor> proposals, Map<String, Tensor> losses) implements AutoCloseable {
        @Override
        public void close() {
            proposals.forEach(Tensor::close);
        }
    }

    public RegionProposalNetwork(AnchorGenerator anchorGenerator, RPNHead head, Settings settings, Generator generator) {
        this.anchorGenerator = anchorGenerator;
        this.head = registerModule("head", head);
        this.settings = settings;
        this.matcher = new Matcher(settings.fgIouThresh(), settings.bgIouThresh(), true);
        this.sampler = new BalancedPositiveNegativeSampler(settings.batchSizePerImage(), settings.positiveFraction(), generator);
    }

    /** Not a single-input module: use {@link #propose}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("RegionProposalNetwork needs the images, features and targets: call propose(...)");
    }

    /**
     * @param features the pyramid, finest first (one level per anchor generator level)
     * @param targets  in training, one per image (boxes in the batch's pixels); ignored in evaluation
     */
    public Output propose(ImageList images, Map<String, Tensor> features, List<Target> targets) {
        List<Tensor> maps = List.copyOf(features.values());
        int numImages = (int) images.tensors().size(0);
        List<long[]> featureSizes = maps.stream().map(m -> new long[] {m.size(2), m.size(3)}).toList();
        try (RPNHead.Output out = head.predict(maps);
             Tensor anchors = anchorGenerator.anchors(images.tensors().size(2), images.tensors().size(3), featureSizes);
             Tensor objectness = flattenLevels(out.objectness(), 1);
             Tensor deltas = flattenLevels(out.deltas(), 4)) {
            int[] anchorsPerLevel = out.objectness().stream().mapToInt(o -> (int) (o.numel() / numImages)).toArray();
            List<Tensor> proposals = filterProposals(decode(deltas, anchors), objectness, images.imageSizes(), anchorsPerLevel);
            Map<String, Tensor> losses = new LinkedHashMap<>();
            if (isTraining()) {
                losses.putAll(losses(objectness, deltas, anchors, targets));
            }
            return new Output(proposals, losses);
        }
    }

    /**
     * Per-level head outputs [N, A·values, H, W] as one [N, Σ H·W·A, values] tensor, ordered as the
     * anchors: level, row, column, anchor (torchvision's concat_box_prediction_layers).
     */
    private static Tensor flattenLevels(List<Tensor> levels, int values) {
        List<Tensor> flat = new ArrayList<>();
        try {
            for (Tensor level : levels) {
                long n = level.size(0);
                long h = level.size(2);
                long w = level.size(3);
                try (Tensor split = level.view(n, -1, values, h, w); Tensor moved = split.permute(0, 3, 4, 1, 2)) {
                    flat.add(moved.reshape(n, -1, values));
                }
            }
            return Tensor.cat(flat, 1);
        } finally {
            flat.forEach(Tensor::close);
        }
    }

    /** The boxes the (detached) deltas make of each image's anchors: [N, T, 4]. */
    private Tensor decode(Tensor deltas, Tensor anchors) {
        long n = deltas.size(0);
        long t = deltas.size(1);
        List<Tensor> repeated = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            repeated.add(anchors);
        }
        try (Tensor detached = deltas.detach(); Tensor codes = detached.reshape(n * t, 4); Tensor allAnchors = Tensor.cat(repeated, 0);
             Tensor boxes = boxCoder.decode(codes, allAnchors)) {
            return boxes.reshape(n, t, 4);
        }
    }

    private List<Tensor> filterProposals(Tensor boxes, Tensor objectness, List<int[]> imageSizes, int[] anchorsPerLevel) {
        int preNmsTopN = isTraining() ? settings.preNmsTopNTrain() : settings.preNmsTopNTest();
        int postNmsTopN = isTraining() ? settings.postNmsTopNTrain() : settings.postNmsTopNTest();
        List<Tensor> proposals = new ArrayList<>();
        try (boxes) {
            for (int i = 0; i < imageSizes.size(); i++) {
                float[] logits;
                try (Tensor image = objectness.select(0, i)) {
                    logits = image.toFloatArray();
                }
                Candidates top = topPerLevel(logits, anchorsPerLevel, preNmsTopN);
                float[] scores = new float[top.anchors().length];
                for (int k = 0; k < scores.length; k++) {
                    scores[k] = (float) (1 / (1 + Math.exp(-logits[top.anchors()[k]])));
                }
                try (Tensor imageBoxes = boxes.select(0, i); Tensor candidates = Tensors.rows(imageBoxes, top.anchors())) {
                    proposals.add(suppress(candidates, scores, top.levels(), imageSizes.get(i), postNmsTopN));
                }
            }
        }
        return proposals;
    }

    /** Clip, drop small and low-scoring boxes, NMS per level, keep the best n. */
    private Tensor suppress(Tensor candidates, float[] scores, long[] level, int[] imageSize, int n) {
        try (Tensor clipped = BoxOps.clipBoxesToImage(candidates, imageSize[0], imageSize[1]);
             Tensor big = BoxOps.removeSmallBoxes(clipped, MIN_SIZE)) {
            long[] bigIndex = big.toLongArray();
            int[] kept = Arrays.stream(bigIndex).mapToInt(k -> (int) k).filter(k -> scores[k] >= settings.scoreThresh()).toArray();
            float[] keptScores = new float[kept.length];
            long[] keptLevels = new long[kept.length];
            for (int k = 0; k < kept.length; k++) {
                keptScores[k] = scores[kept[k]];
                keptLevels[k] = level[kept[k]];
            }
            try (Tensor keptBoxes = Tensors.rows(clipped, kept); Tensor s = Tensor.of(keptScores, kept.length);
                 Tensor l = Tensor.of(keptLevels, kept.length);
                 Tensor survivors = BoxOps.batchedNms(keptBoxes, s, l, settings.nmsThresh())) {
                return Tensors.rows(keptBoxes, Tensors.firstIndices(survivors, n));
            }
        }
    }

    /** Anchor indices with the level each came from. */
    private record Candidates(int[] anchors, long[] levels) {}

    /** Per level, the indices of its n highest logits, best first (torchvision's _get_top_n_idx). */
    private static Candidates topPerLevel(float[] logits, int[] anchorsPerLevel, int n) {
        List<Integer> chosen = new ArrayList<>();
        List<Long> levels = new ArrayList<>();
        int start = 0;
        for (int level = 0; level < anchorsPerLevel.length; level++) {
            int end = start + anchorsPerLevel[level];
            long levelIndex = level;
            IntStream.range(start, end).boxed()
                    .sorted(Comparator.comparingDouble((Integer a) -> logits[a]).reversed())
                    .limit(n)
                    .forEach(a -> {
                        chosen.add(a);
                        levels.add(levelIndex);
                    });
            start = end;
        }
        return new Candidates(chosen.stream().mapToInt(Integer::intValue).toArray(), levels.stream().mapToLong(Long::longValue).toArray());
    }

    private Map<String, Tensor> losses(Tensor objectness, Tensor deltas, Tensor anchors, List<Target> targets) {
        long perImage = anchors.size(0);
        List<Integer> positives = new ArrayList<>();
        List<Integer> negatives = new ArrayList<>();
        List<Tensor> positiveTargets = new ArrayList<>();
        try {
            for (int i = 0; i < targets.size(); i++) {
                Target target = targets.get(i);
                int[] labels = new int[(int) perImage];
                int[] matches = null;
                if (target.size() > 0) {
                    try (Tensor iou = BoxOps.boxIou(target.boxes(), anchors)) {
                        matches = matcher.match(iou);
                    }
                    for (int a = 0; a < labels.length; a++) {
                        labels[a] = matches[a] >= 0 ? 1 : matches[a] == Matcher.BETWEEN_THRESHOLDS ? -1 : 0;
                    }
                }
                BalancedPositiveNegativeSampler.Sample sample = sampler.sample(labels);
                int offset = (int) (i * perImage);
                Arrays.stream(sample.positives()).forEach(a -> positives.add(offset + a));
                Arrays.stream(sample.negatives()).forEach(a -> negatives.add(offset + a));
                positiveTargets.add(RegressionTargets.encode(boxCoder, target.boxes(), anchors, sample.positives(), matches));
            }
            int[] pos = positives.stream().mapToInt(Integer::intValue).toArray();
            int[] sampled = IntStream.concat(IntStream.of(pos), negatives.stream().mapToInt(Integer::intValue)).toArray();
            float[] sampledLabels = new float[sampled.length];
            Arrays.fill(sampledLabels, 0, pos.length, 1f);
            Map<String, Tensor> losses = new LinkedHashMap<>();
            try (Tensor logits = objectness.reshape(-1); Tensor chosen = Tensors.rows(logits, sampled);
                 Tensor labelTensor = Tensor.of(sampledLabels, sampled.length)) {
                losses.put("loss_objectness", Loss.binaryCrossEntropyWithLogits(chosen, labelTensor));
            }
            try (Tensor allDeltas = deltas.reshape(-1, 4); Tensor posDeltas = Tensors.rows(allDeltas, pos);
                 Tensor wanted = Tensor.cat(positiveTargets, 0);
                 Tensor sum = Loss.smoothL1Loss(posDeltas, wanted, LossReduction.SUM, SMOOTH_L1_BETA)) {
                losses.put("loss_rpn_box_reg", sum.div(sampled.length));
            }
            return losses;
        } finally {
            positiveTargets.forEach(Tensor::close);
        }
    }
}
