package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What torchvision's {@code GeneralizedRCNNTransform} does around a detector: normalise each
 * image [3, H, W] with a mean and standard deviation per channel, resize it (bilinear) so its
 * shorter side is {@code minSize} unless that makes the longer side exceed {@code maxSize},
 * scale its target boxes alike, and pad the batch to a size divisible by 32. {@link #postprocess}
 * maps detected boxes back to each original image.
 */
public final class GeneralizedRCNNTransform {
    /** ImageNet's channel means and standard deviations, torchvision's defaults. */
    public static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    public static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};
    private static final int SIZE_DIVISIBLE = 32;

    private final int minSize;
    private final int maxSize;
    private final double[] mean;
    private final double[] std;

    /** A batch ready for the detector: the padded images and, in training, their resized targets. */
    public record Batch(ImageList images, List<Target> targets) implements AutoCloseable {
        @Override
        public void close() {
            images.close();
            targets.forEach(Target::close);
        }
    }

    public GeneralizedRCNNTransform(int minSize, int maxSize, double[] mean, double[] std) {
        if (minSize < 1 || maxSize < minSize) {
            throw new IllegalArgumentException("GeneralizedRCNNTransform: need 1 <= minSize <= maxSize, got " + minSize + " and " + maxSize);
        }
        if (mean.length != std.length) {
            throw new IllegalArgumentException("GeneralizedRCNNTransform: " + mean.length + " means but " + std.length + " standard deviations");
        }
        this.minSize = minSize;
        this.maxSize = maxSize;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** torchvision's Faster R-CNN defaults: 800 / 1333, ImageNet statistics. */
    public static GeneralizedRCNNTransform fasterRcnnDefault() {
        return new GeneralizedRCNNTransform(800, 1333, IMAGENET_MEAN, IMAGENET_STD);
    }

    /**
     * @param targets one per image (boxes in the image's pixels), or an empty list for inference
     */
    public Batch apply(List<Tensor> images, List<Target> targets) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("GeneralizedRCNNTransform: no images");
        }
        List<Tensor> resized = new ArrayList<>();
        List<Target> resizedTargets = new ArrayList<>();
        try {
            for (int i = 0; i < images.size(); i++) {
                Tensor image = images.get(i);
                checkImage(i, image);
                try (Tensor normalized = normalize(image)) {
                    int[] size = resizedSize((int) image.size(1), (int) image.size(2));
                    resized.add(Resize.bilinear(normalized, size[0], size[1]));
                }
                if (!targets.isEmpty()) {
                    Target t = targets.get(i);
                    resizedTargets.add(new Target(scaleBoxes(t.boxes(), imageSize(image), imageSize(resized.getLast())), t.labels().alias()));
                }
            }
            return new Batch(batch(resized), resizedTargets);
        } finally {
            resized.forEach(Tensor::close);
        }
    }

    private void checkImage(int index, Tensor image) {
        if (image.rank() != 3) {
            throw new IllegalArgumentException("images is expected to be a list of 3d tensors of shape [C, H, W], got " + image.shape()
                    + " for image " + index);
        }
        if (image.size(0) != mean.length) {
            throw new IllegalArgumentException("image " + index + " has " + image.size(0) + " channels, the transform normalises "
                    + mean.length + " " + image.shape());
        }
        if (!image.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("Expected input images to be of floating type (in range [0, 1]), but found type "
                    + image.dtype().pyName() + " for image " + index);
        }
    }

    private Tensor normalize(Tensor image) {
        int c = mean.length;
        try (Tensor m = Tensor.of(mean, c, 1, 1); Tensor s = Tensor.of(std, c, 1, 1); Tensor md = m.to(image.dtype());
             Tensor sd = s.to(image.dtype()); Tensor centred = image.sub(md)) {
            return centred.div(sd);
        }
    }

    /** torchvision's _resize_image_and_masks: floor(side · scale) with scale = min(minSize / shorter, maxSize / longer). */
    int[] resizedSize(int h, int w) {
        double scale = Math.min((double) minSize / Math.min(h, w), (double) maxSize / Math.max(h, w));
        return new int[] {(int) Math.floor(h * scale), (int) Math.floor(w * scale)};
    }

    private static int[] imageSize(Tensor image) {
        return new int[] {(int) image.size(-2), (int) image.size(-1)};
    }

    /** Boxes [K, 4] scaled from an image of size {@code from} to one of size {@code to} (torchvision's resize_boxes, in float32). */
    static Tensor scaleBoxes(Tensor boxes, int[] from, int[] to) {
        float ratioH = (float) to[0] / (float) from[0];
        float ratioW = (float) to[1] / (float) from[1];
        try (Tensor ratios = Tensor.of(new float[] {ratioW, ratioH, ratioW, ratioH}, 1, 4)) {
            return boxes.mul(ratios);
        }
    }

    /** The images in the top-left corners of a zero batch whose height and width are the largest rounded up to a multiple of 32. */
    private static ImageList batch(List<Tensor> images) {
        long maxH = images.stream().mapToLong(t -> t.size(1)).max().orElseThrow();
        long maxW = images.stream().mapToLong(t -> t.size(2)).max().orElseThrow();
        long h = roundUp(maxH);
        long w = roundUp(maxW);
        Tensor batch = Tensor.zeros(images.getFirst().dtype(), images.size(), images.getFirst().size(0), h, w);
        List<int[]> sizes = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Tensor image = images.get(i);
            try (Tensor slot = batch.select(0, i); Tensor rows = slot.narrow(1, 0, image.size(1));
                 Tensor corner = rows.narrow(2, 0, image.size(2))) {
                corner.copy_(image);
            }
            sizes.add(imageSize(image));
        }
        return new ImageList(batch, sizes);
    }

    private static long roundUp(long size) {
        return (size + SIZE_DIVISIBLE - 1) / SIZE_DIVISIBLE * SIZE_DIVISIBLE;
    }

    /** Detections on the resized images mapped back to the original images (closing the given ones). */
    public List<Detections> postprocess(List<Detections> detections, List<int[]> resizedSizes, List<int[]> originalSizes) {
        List<Detections> out = new ArrayList<>();
        for (int i = 0; i < detections.size(); i++) {
            try (Detections d = detections.get(i)) {
                out.add(new Detections(scaleBoxes(d.boxes(), resizedSizes.get(i), originalSizes.get(i)), d.labels().alias(),
                        d.scores().alias()));
            }
        }
        return out;
    }
}
