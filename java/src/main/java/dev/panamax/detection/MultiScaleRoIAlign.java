package dev.panamax.detection;

import dev.panamax.ops.BoxOps;
import dev.panamax.ops.RoiOps;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pools a fixed-size feature for each box from the pyramid level that suits its size, as
 * torchvision's {@code MultiScaleRoIAlign}: level k = floor(4 + log2(√area / 224) + 1e-6) clamped
 * to the levels present (the FPN paper's eq. 1, torchvision's {@code LevelMapper}); each level's
 * scale is inferred as the power of two nearest to its size over the largest image's. With
 * {@link RoiMode#POOL} each level uses {@code roi_pool} instead of {@code roi_align}.
 */
public final class MultiScaleRoIAlign {
    private static final double CANONICAL_SCALE = 224;
    private static final double CANONICAL_LEVEL = 4;
    private static final float EPS = 1e-6f;

    private final List<String> featmapNames;
    private final int outputSize;
    private final int samplingRatio;
    private final RoiMode mode;

    public MultiScaleRoIAlign(List<String> featmapNames, int outputSize, int samplingRatio, RoiMode mode) {
        if (featmapNames.isEmpty()) {
            throw new IllegalArgumentException("MultiScaleRoIAlign: no feature map names");
        }
        this.featmapNames = List.copyOf(featmapNames);
        this.outputSize = outputSize;
        this.samplingRatio = samplingRatio;
        this.mode = mode;
    }

    public int outputSize() {
        return outputSize;
    }

    /**
     * @param boxes      per image, [K_i, 4] boxes in the batch's pixels
     * @param imageSizes per image, {height, width} before padding
     * @return [Σ K_i, C, outputSize, outputSize], boxes in order
     */
    public Tensor pool(Map<String, Tensor> features, List<Tensor> boxes, List<int[]> imageSizes) {
        List<Tensor> maps = new ArrayList<>();
        for (String name : featmapNames) {
            Tensor map = features.get(name);
            if (map == null) {
                throw new IllegalArgumentException("MultiScaleRoIAlign: no feature map named '" + name + "' among " + features.keySet());
            }
            maps.add(map);
        }
        double[] scales = scales(maps, imageSizes);
        try (Tensor rois = roiFormat(boxes)) {
            if (maps.size() == 1) {
                return poolLevel(maps.getFirst(), rois, scales[0]);
            }
            int minLevel = (int) Math.round(-log2(scales[0]));
            int maxLevel = (int) Math.round(-log2(scales[scales.length - 1]));
            return poolByLevel(maps, rois, levels(boxes, minLevel, maxLevel), scales);
        }
    }

    private Tensor poolLevel(Tensor map, Tensor rois, double scale) {
        return mode == RoiMode.ALIGN
                ? RoiOps.roiAlign(map, rois, outputSize, outputSize, scale, samplingRatio, false)
                : RoiOps.roiPool(map, rois, outputSize, outputSize, scale);
    }

    /** Each level pools its own boxes; the results are put back in box order. */
    private Tensor poolByLevel(List<Tensor> maps, Tensor rois, int[] levelOf, double[] scales) {
        List<Tensor> pooled = new ArrayList<>();
        long[] order = new long[levelOf.length];
        int at = 0;
        try {
            for (int level = 0; level < maps.size(); level++) {
                List<Long> members = new ArrayList<>();
                for (int k = 0; k < levelOf.length; k++) {
                    if (levelOf[k] == level) {
                        members.add((long) k);
                    }
                }
                if (members.isEmpty()) {
                    continue;
                }
                long[] index = members.stream().mapToLong(Long::longValue).toArray();
                for (long k : index) {
                    order[(int) k] = at++;
                }
                try (Tensor idx = Tensor.of(index, index.length); Tensor levelRois = rois.indexSelect(0, idx)) {
                    pooled.add(poolLevel(maps.get(level), levelRois, scales[level]));
                }
            }
            if (pooled.isEmpty()) {
                Tensor map = maps.getFirst();
                return Tensor.zeros(map.dtype(), 0, map.size(1), outputSize, outputSize);
            }
            try (Tensor byLevel = Tensor.cat(pooled, 0); Tensor inBoxOrder = Tensor.of(order, order.length)) {
                return byLevel.indexSelect(0, inBoxOrder);
            }
        } finally {
            pooled.forEach(Tensor::close);
        }
    }

    /** Per box, its level index from 0 (torchvision's LevelMapper, in float32 as there). */
    private static int[] levels(List<Tensor> boxes, int minLevel, int maxLevel) {
        List<Float> areas = new ArrayList<>();
        for (Tensor b : boxes) {
            try (Tensor area = BoxOps.boxArea(b)) {
                for (float a : area.toFloatArray()) {
                    areas.add(a);
                }
            }
        }
        int[] levels = new int[areas.size()];
        for (int k = 0; k < levels.length; k++) {
            float s = (float) Math.sqrt(areas.get(k));
            float target = (float) Math.floor((float) CANONICAL_LEVEL + (float) log2(s / (float) CANONICAL_SCALE) + EPS);
            levels[k] = (int) Math.min(Math.max(target, minLevel), maxLevel) - minLevel;
        }
        return levels;
    }

    /** Per level, 2^round(log2(feature height / largest image height)) (torchvision's _infer_scale). */
    private static double[] scales(List<Tensor> maps, List<int[]> imageSizes) {
        int maxH = imageSizes.stream().mapToInt(s -> s[0]).max().orElseThrow();
        int maxW = imageSizes.stream().mapToInt(s -> s[1]).max().orElseThrow();
        double[] scales = new double[maps.size()];
        for (int i = 0; i < scales.length; i++) {
            double byHeight = Math.pow(2, Math.rint(log2((float) maps.get(i).size(2) / maxH)));
            double byWidth = Math.pow(2, Math.rint(log2((float) maps.get(i).size(3) / maxW)));
            if (byHeight != byWidth) {
                throw new IllegalArgumentException("MultiScaleRoIAlign: feature map " + i + " " + maps.get(i).shape()
                        + " has different scales along height and width for images up to " + maxH + "x" + maxW);
            }
            scales[i] = byHeight;
        }
        return scales;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** The boxes of all images as [K, 5] rows (image index, x1, y1, x2, y2), as roi_align takes them. */
    private static Tensor roiFormat(List<Tensor> boxes) {
        List<Tensor> rows = new ArrayList<>();
        try {
            for (int i = 0; i < boxes.size(); i++) {
                Tensor b = boxes.get(i);
                try (Tensor index = Tensor.full(i, DType.FLOAT32, b.size(0), 1)) {
                    rows.add(Tensor.cat(List.of(index, b), 1));
                }
            }
            return Tensor.cat(rows, 0);
        } finally {
            rows.forEach(Tensor::close);
        }
    }
}
