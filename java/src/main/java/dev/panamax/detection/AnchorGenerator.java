package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Anchors for every feature map cell, as torchvision's {@code AnchorGenerator}: per level, one
 * base anchor per (aspect ratio, size) pair centred on 0 (ratios outer, sizes inner; h/w = ratio,
 * area = size²; corners rounded half to even, in float32 like torchvision's), shifted to every
 * cell of the level's grid at its stride (image size // grid size); levels concatenated. Every
 * image of a batch gets the same anchors, computed on the padded batch's size.
 */
public final class AnchorGenerator {
    private final double[][] sizes;
    private final double[][] aspectRatios;
    private final float[][] cellAnchors;

    /**
     * @param sizes        per level, the anchor sizes (the square root of the area) in pixels
     * @param aspectRatios per level, the height / width ratios (one entry applies to every level)
     */
    public AnchorGenerator(double[][] sizes, double[][] aspectRatios) {
        if (aspectRatios.length == 1 && sizes.length > 1) {
            double[] shared = aspectRatios[0];
            aspectRatios = new double[sizes.length][];
            Arrays.fill(aspectRatios, shared);
        }
        if (sizes.length == 0 || sizes.length != aspectRatios.length) {
            throw new IllegalArgumentException("AnchorGenerator: need one list of sizes and one of aspect ratios per feature level, got "
                    + sizes.length + " and " + aspectRatios.length);
        }
        this.sizes = sizes;
        this.aspectRatios = aspectRatios;
        cellAnchors = new float[sizes.length][];
        for (int level = 0; level < sizes.length; level++) {
            cellAnchors[level] = baseAnchors(sizes[level], aspectRatios[level]);
        }
    }

    /** torchvision's detection default: sizes 32..512, one per level, ratios 0.5, 1, 2 on each of five levels. */
    public static AnchorGenerator fasterRcnnDefault() {
        return new AnchorGenerator(new double[][] {{32}, {64}, {128}, {256}, {512}}, new double[][] {{0.5, 1.0, 2.0}});
    }

    public int numLevels() {
        return sizes.length;
    }

    /** Anchors per cell of each level (what the RPN head predicts per location). */
    public int[] numAnchorsPerLocation() {
        int[] n = new int[sizes.length];
        for (int level = 0; level < n.length; level++) {
            n[level] = sizes[level].length * aspectRatios[level].length;
        }
        return n;
    }

    /** The anchors of one level centred on (0, 0), [A, 4] as (x1, y1, x2, y2), flattened. */
    static float[] baseAnchors(double[] scales, double[] ratios) {
        float[] out = new float[ratios.length * scales.length * 4];
        int k = 0;
        for (double ratio : ratios) {
            float hRatio = (float) Math.sqrt((float) ratio);
            float wRatio = 1f / hRatio;
            for (double scale : scales) {
                float halfW = wRatio * (float) scale / 2f;
                float halfH = hRatio * (float) scale / 2f;
                out[k++] = (float) Math.rint(-halfW);
                out[k++] = (float) Math.rint(-halfH);
                out[k++] = (float) Math.rint(halfW);
                out[k++] = (float) Math.rint(halfH);
            }
        }
        return out;
    }

    /**
     * The anchors [Σ H·W·A, 4] float32 for a batch padded to imageH × imageW whose feature maps
     * have the given sizes ({H, W} per level, finest first); order: level, row, column, anchor.
     */
    public Tensor anchors(long imageH, long imageW, List<long[]> featureSizes) {
        if (featureSizes.size() != sizes.length) {
            throw new IllegalArgumentException("AnchorGenerator: configured for " + sizes.length + " feature levels, got "
                    + featureSizes.size() + " feature maps");
        }
        List<float[]> levels = new ArrayList<>();
        long total = 0;
        for (int level = 0; level < sizes.length; level++) {
            long gridH = featureSizes.get(level)[0];
            long gridW = featureSizes.get(level)[1];
            float[] a = gridAnchors(cellAnchors[level], gridH, gridW, imageH / gridH, imageW / gridW);
            levels.add(a);
            total += a.length / 4;
        }
        float[] all = new float[(int) total * 4];
        int at = 0;
        for (float[] a : levels) {
            System.arraycopy(a, 0, all, at, a.length);
            at += a.length;
        }
        return Tensor.of(all, total, 4);
    }

    private static float[] gridAnchors(float[] base, long gridH, long gridW, long strideH, long strideW) {
        int perCell = base.length / 4;
        float[] out = new float[(int) (gridH * gridW) * base.length];
        int k = 0;
        for (long y = 0; y < gridH; y++) {
            float shiftY = y * strideH;
            for (long x = 0; x < gridW; x++) {
                float shiftX = x * strideW;
                for (int a = 0; a < perCell; a++) {
                    out[k++] = base[4 * a] + shiftX;
                    out[k++] = base[4 * a + 1] + shiftY;
                    out[k++] = base[4 * a + 2] + shiftX;
                    out[k++] = base[4 * a + 3] + shiftY;
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "AnchorGenerator(sizes=" + Arrays.deepToString(sizes) + ", aspect_ratios=" + Arrays.deepToString(aspectRatios) + ")";
    }
}
