package dev.panamax.data.transforms;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** Mirrors each image left to right with probability {@code p}, like torchvision's {@code RandomHorizontalFlip(p=0.5)}. */
public final class RandomHorizontalFlip implements Transform {
    private final double p;

    public RandomHorizontalFlip() {
        this(0.5);
    }

    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor apply(Tensor x, Generator gen) {
        Images in = Images.of("RandomHorizontalFlip", x);
        Draws draws = Draws.of(gen, in.count);
        double[] out = in.pixels.clone();
        int w = in.width;
        for (int n = 0; n < in.count; n++) {
            if (draws.uniform() >= p) {
                continue;
            }
            for (int row = n * in.channels * in.height; row < (n + 1) * in.channels * in.height; row++) {
                for (int i = 0; i < w; i++) {
                    out[row * w + i] = in.pixels[row * w + w - 1 - i];
                }
            }
        }
        return in.toTensor(out, in.height, w);
    }
}
