package dev.panamax.data.transforms;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code (x - mean[c]) / std[c]} per channel, like torchvision's {@code Normalize(mean, std)}; one
 * value stands for every channel. Runs as two broadcast tensor ops (vector kernels).
 */
public final class Normalize implements Transform {
    private final double[] mean;
    private final double[] std;

    public Normalize(double[] mean, double[] std) {
        if (mean.length == 0 || std.length == 0) {
            throw new IllegalArgumentException("Normalize: mean and std need at least one value, got mean "
                    + Arrays.toString(mean) + " std " + Arrays.toString(std));
        }
        for (double s : std) {
            if ((float) s == 0 || !Double.isFinite(s)) {
                throw new IllegalArgumentException("Normalize: std " + Arrays.toString(std)
                        + " has a zero or non-finite value (zero after conversion to float32 divides by zero)");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    @Override
    public Tensor apply(Tensor x, Generator gen) {
        Images.check("Normalize", x);
        int c = (int) x.size(-3);
        for (double[] values : new double[][] {mean, std}) {
            if (values.length != 1 && values.length != c) {
                throw new IllegalArgumentException("Normalize: mean " + Arrays.toString(mean) + " and std " + Arrays.toString(std)
                        + " need 1 or " + c + " values for " + x.describe() + " (" + c + " channels)");
            }
        }
        try (Tensor m = column(mean, x); Tensor s = column(std, x); Tensor centred = x.sub(m)) {
            return centred.div(s);
        }
    }

    /** The values as a [n, 1, 1] tensor of x's dtype, broadcasting over H and W (and B). */
    private static Tensor column(double[] values, Tensor x) {
        try (Tensor t = Tensor.of(values, values.length, 1, 1)) {
            return t.to(x.dtype());
        }
    }
}
