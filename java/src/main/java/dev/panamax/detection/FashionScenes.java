package dev.panamax.detection;

import dev.panamax.data.TensorDataset;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic detection set that needs no download: black canvases, each with a few Fashion-MNIST
 * items pasted at random sizes and places, labelled with their class + 1 (0 is the background).
 *
 * <pre>{@code
 * try (MnistData fm = FashionMnist.loadOrSample(null)) {      // the full set, or the embedded sample
 *     FashionScenes train = new FashionScenes(fm.train(), 2000, 1);
 *     FashionScenes test = new FashionScenes(fm.test(), 200, 2); // items from the test split only
 *     try (DetectionBatch b = train.batch(new long[] {0, 1, 2, 3})) { ... b.images() ... b.targets() ... }
 * }
 * }</pre>
 *
 * <p>Scene {@code i} depends only on (seed, i, options, source): it is drawn when read, from a
 * generator seeded by both, so reads may come in any order and from any thread. A scene holds
 * {@code minItems..maxItems} items; each is a random image of the source split, resized bilinearly
 * by a factor in {@code [minScale, maxScale]} and cut to its non-zero pixels, placed wholly inside
 * the canvas where its box overlaps every earlier one with IoU below {@code maxOverlap} (items
 * cover each other by taking the brighter pixel). An item that finds no such place in 100 tries
 * is left out, so crowded scenes may hold fewer. Boxes are tight: pixel columns c1..c2 give
 * x1 = c1, x2 = c2 + 1.
 *
 * <p>Images are float32 [3, S, S] in [0, 1] with three equal channels: the shape torchvision's
 * detectors (and ours) take. The source split (e.g. {@code MnistData.train()}, float32 [N, 1, H, W]
 * in [0, 1], labels [N]) is read on every {@link #get}: keep it open while this set is in use. The
 * embedded Fashion-MNIST sample has both splits (5000 train, 1000 test images), so train and test
 * scenes never share an item there either.
 */
public final class FashionScenes implements DetectionDataset {
    private static final int PLACEMENT_TRIES = 100;

    /**
     * How scenes are drawn. {@link #DEFAULT}: 160×160 canvases with 1 to 5 items scaled 0.75× to
     * 2.5× (28 to 70 pixels for Fashion-MNIST), boxes overlapping with IoU below 0.5.
     */
    public record Options(int canvas, int minItems, int maxItems, double minScale, double maxScale, double maxOverlap) {
        public static final Options DEFAULT = new Options(160, 1, 5, 0.75, 2.5, 0.5);

        public Options {
            if (canvas < 1 || minItems < 1 || maxItems < minItems) {
                throw new IllegalArgumentException("FashionScenes.Options: need canvas >= 1 and 1 <= minItems <= maxItems, got canvas "
                        + canvas + ", items " + minItems + ".." + maxItems);
            }
            if (!(minScale > 0 && maxScale >= minScale && maxScale < 1e3)) {
                throw new IllegalArgumentException("FashionScenes.Options: need 0 < minScale <= maxScale, got " + minScale + ".." + maxScale);
            }
            if (!(maxOverlap > 0 && maxOverlap <= 1)) {
                throw new IllegalArgumentException("FashionScenes.Options: maxOverlap must be in (0, 1], got " + maxOverlap);
            }
        }
    }

    private final TensorDataset source;
    private final long[] classes;
    private final long scenes;
    private final long seed;
    private final Options options;

    /** {@code scenes} scenes with the {@link Options#DEFAULT default options}. */
    public FashionScenes(TensorDataset source, long scenes, long seed) {
        this(source, scenes, seed, Options.DEFAULT);
    }

    public FashionScenes(TensorDataset source, long scenes, long seed, Options options) {
        Tensor x = source.inputs();
        if (x.rank() != 4 || x.size(1) != 1 || !x.dtype().isFloatingPoint() || x.size(0) == 0) {
            throw new IllegalArgumentException("FashionScenes: the source must hold grey images [N, 1, H, W] (N > 0), got " + x.describe());
        }
        long largest = Math.round(options.maxScale() * Math.max(x.size(2), x.size(3)));
        if (largest > options.canvas()) {
            throw new IllegalArgumentException("FashionScenes: a " + x.size(2) + "×" + x.size(3) + " image scaled by " + options.maxScale()
                    + " does not fit a " + options.canvas() + "-pixel canvas");
        }
        if (scenes < 0) {
            throw new IllegalArgumentException("FashionScenes: scenes must be >= 0, got " + scenes);
        }
        this.source = source;
        this.classes = source.labels().toLongArray();
        this.scenes = scenes;
        this.seed = seed;
        this.options = options;
    }

    public Options options() {
        return options;
    }

    @Override
    public long size() {
        return scenes;
    }

    @Override
    public DetectionSample get(long index) {
        if (index < 0 || index >= scenes) {
            throw new IndexOutOfBoundsException("FashionScenes.get: index " + index + " is out of range for " + scenes + " scenes");
        }
        SplittableRandom rng = new SplittableRandom(mix(mix(seed) ^ index));
        int s = options.canvas();
        float[] canvas = new float[s * s];
        List<GroundTruthBox> objects = new ArrayList<>();
        int items = rng.nextInt(options.minItems(), options.maxItems() + 1);
        for (int n = 0; n < items; n++) {
            place(rng, canvas, objects);
        }
        float[] rgb = new float[3 * s * s];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(canvas, 0, rgb, c * s * s, s * s);
        }
        float[] boxes = new float[4 * objects.size()];
        long[] labels = new long[objects.size()];
        for (int i = 0; i < labels.length; i++) {
            GroundTruthBox g = objects.get(i);
            boxes[4 * i] = (float) g.x1();
            boxes[4 * i + 1] = (float) g.y1();
            boxes[4 * i + 2] = (float) g.x2();
            boxes[4 * i + 3] = (float) g.y2();
            labels[i] = g.label();
        }
        Target target = new Target(Tensor.of(boxes, labels.length, 4), Tensor.of(labels, labels.length));
        return new DetectionSample(index, Tensor.of(rgb, 3, s, s), target, objects);
    }

    /** Draws one item and pastes it where it overlaps the placed ones little enough; gives up after {@link #PLACEMENT_TRIES}. */
    private void place(SplittableRandom rng, float[] canvas, List<GroundTruthBox> placed) {
        int s = options.canvas();
        for (int attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
            long k = rng.nextLong(classes.length);
            double scale = options.minScale() + rng.nextDouble() * (options.maxScale() - options.minScale());
            Glyph g = glyph(k);
            Glyph item = g.resize(Math.max(1, (int) Math.round(g.width() * scale)), Math.max(1, (int) Math.round(g.height() * scale))).cropToInk();
            if (item == null) {
                continue; // a blank image has nothing to detect
            }
            int x = rng.nextInt(s - item.width() + 1);
            int y = rng.nextInt(s - item.height() + 1);
            GroundTruthBox box = GroundTruthBox.of(x, y, x + item.width(), y + item.height(), (int) classes[(int) k] + 1);
            if (placed.stream().anyMatch(p -> Overlap.iou(p, box) >= options.maxOverlap())) {
                continue;
            }
            for (int r = 0; r < item.height(); r++) {
                for (int c = 0; c < item.width(); c++) {
                    int at = (y + r) * s + x + c;
                    canvas[at] = Math.max(canvas[at], item.pixels()[r * item.width() + c]);
                }
            }
            placed.add(box);
            return;
        }
    }

    private Glyph glyph(long k) {
        try (Tensor image = source.inputs().select(0, k)) {
            return new Glyph(image.toFloatArray(), (int) image.size(2), (int) image.size(1));
        }
    }

    /** SplitMix64's finaliser: nearby (seed, index) pairs get unrelated generators. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
