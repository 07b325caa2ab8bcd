package dev.panamax.data.transforms;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Random erasing (Zhong et al., "Random Erasing Data Augmentation", AAAI 2020), as torchvision's
 * {@code RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0)}: with probability
 * p, a rectangle covering a uniform fraction {@code scale} of the image, with a log-uniform aspect
 * ratio (height / width) in {@code ratio}, is set to {@code value}; up to 10 tries to find one
 * that fits, else the image is left as it is.
 */
public final class RandomErasing implements Transform {
    private static final int TRIES = 10;
    /** Per image: whether to erase, then area, ratio, top and left for each try. */
    private static final int DRAWS = 1 + 4 * TRIES;

    private final double p;
    private final double scaleMin;
    private final double scaleMax;
    private final double logRatioMin;
    private final double logRatioMax;
    /** One value, one per channel, or null for standard normal noise (torchvision's value='random'). */
    private final double[] value;

    /** torchvision's defaults: p 0.5, scale (0.02, 0.33), ratio (0.3, 3.3), value 0. */
    public RandomErasing() {
        this(0.5, 0.02, 0.33, 0.3, 3.3, new double[] {0});
    }

    /** {@code value}: one number, one per channel, or null for random normal values. */
    public RandomErasing(double p, double scaleMin, double scaleMax, double ratioMin, double ratioMax, double[] value) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomErasing: p must be in [0, 1], got " + p);
        }
        if (!(scaleMin >= 0 && scaleMin <= scaleMax && scaleMax <= 1)) {
            throw new IllegalArgumentException("RandomErasing: scale must satisfy 0 <= min <= max <= 1, got (" + scaleMin + ", " + scaleMax + ")");
        }
        if (!(ratioMin > 0 && ratioMin <= ratioMax && Double.isFinite(ratioMax))) {
            throw new IllegalArgumentException("RandomErasing: ratio must satisfy 0 < min <= max, got (" + ratioMin + ", " + ratioMax + ")");
        }
        if (value != null && value.length == 0) {
            throw new IllegalArgumentException("RandomErasing: value needs 1 or C numbers (or null for random values), got none");
        }
        this.p = p;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.logRatioMin = Math.log(ratioMin);
        this.logRatioMax = Math.log(ratioMax);
        this.value = value == null ? null : value.clone();
    }

    @Override
    public Tensor apply(Tensor x, Generator gen) {
        Images in = Images.of("RandomErasing", x);
        double[] fill = value == null ? null : in.perChannel("RandomErasing", "value", value);
        Draws draws = Draws.of(gen, DRAWS * in.count);
        double[] out = in.pixels.clone();
        double area = in.planeSize();
        for (int n = 0; n < in.count; n++) {
            draws.startImage(n, DRAWS);
            if (draws.uniform() >= p) {
                continue;
            }
            for (int t = 0; t < TRIES; t++) {
                double eraseArea = area * draws.uniform(scaleMin, scaleMax);
                double aspect = Math.exp(draws.uniform(logRatioMin, logRatioMax));
                int h = (int) Math.rint(Math.sqrt(eraseArea * aspect));
                int w = (int) Math.rint(Math.sqrt(eraseArea / aspect));
                int top = draws.below(Math.max(1, in.height - h + 1));
                int left = draws.below(Math.max(1, in.width - w + 1));
                if (h < in.height && w < in.width) {
                    erase(in, out, n, top, left, h, w, fill, gen);
                    break;
                }
            }
        }
        return in.toTensor(out, in.height, in.width);
    }

    private static void erase(Images in, double[] out, int n, int top, int left, int h, int w, double[] fill, Generator gen) {
        double[] noise = null;
        if (fill == null) {
            try (Tensor t = Tensor.randn(gen, in.channels, h, w)) {
                noise = t.toDoubleArray();
            }
        }
        int k = 0;
        for (int c = 0; c < in.channels; c++) {
            int plane = (n * in.channels + c) * in.planeSize();
            for (int y = top; y < top + h; y++) {
                for (int xo = left; xo < left + w; xo++) {
                    out[plane + y * in.width + xo] = noise != null ? noise[k++] : fill[c];
                }
            }
        }
    }
}
