package dev.panamax.data.transforms;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * A crop of {@code height × width} at a uniformly random position, after optional padding, like
 * torchvision's {@code RandomCrop(size, padding, pad_if_needed, fill, padding_mode)}:
 * {@code new RandomCrop(32, 32).padding(4)} is the usual CIFAR augmentation. Immutable; the
 * {@code with}-style methods return a changed copy.
 */
public final class RandomCrop implements Transform {
    private final int height;
    private final int width;
    /** left, top, right, bottom. */
    private final int[] padding;
    private final boolean padIfNeeded;
    private final double fill;
    private final PaddingMode mode;

    public RandomCrop(int height, int width) {
        this(height, width, new int[4], false, 0, PaddingMode.CONSTANT);
    }

    private RandomCrop(int height, int width, int[] padding, boolean padIfNeeded, double fill, PaddingMode mode) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("RandomCrop: size must be positive, got " + height + " x " + width);
        }
        this.height = height;
        this.width = width;
        this.padding = padding;
        this.padIfNeeded = padIfNeeded;
        this.fill = fill;
        this.mode = mode;
    }

    /**
     * Padding before cropping, as torchvision takes it: one value for every side, two for
     * (left and right, top and bottom), or four for (left, top, right, bottom).
     */
    public RandomCrop padding(int... pad) {
        int[] p = switch (pad.length) {
            case 1 -> new int[] {pad[0], pad[0], pad[0], pad[0]};
            case 2 -> new int[] {pad[0], pad[1], pad[0], pad[1]};
            case 4 -> pad.clone();
            default -> throw new IllegalArgumentException("RandomCrop: padding takes 1, 2 or 4 values, got " + Arrays.toString(pad));
        };
        for (int v : p) {
            if (v < 0) {
                throw new IllegalArgumentException("RandomCrop: padding must be non-negative, got " + Arrays.toString(pad));
            }
        }
        return new RandomCrop(height, width, p, padIfNeeded, fill, mode);
    }

    /** Pads both sides by the shortfall when the (padded) image is smaller than the crop. */
    public RandomCrop padIfNeeded(boolean padIfNeeded) {
        return new RandomCrop(height, width, padding, padIfNeeded, fill, mode);
    }

    /** The value of {@link PaddingMode#CONSTANT} padding (default 0). */
    public RandomCrop fill(double fill) {
        return new RandomCrop(height, width, padding, padIfNeeded, fill, mode);
    }

    public RandomCrop paddingMode(PaddingMode mode) {
        return new RandomCrop(height, width, padding, padIfNeeded, fill, mode);
    }

    @Override
    public Tensor apply(Tensor x, Generator gen) {
        Images in = Images.of("RandomCrop", x);
        Axis rows = new Axis(in.height, padding[1], padding[3], height);
        Axis cols = new Axis(in.width, padding[0], padding[2], width);
        if (rows.padded < height || cols.padded < width) {
            throw new IllegalArgumentException("RandomCrop: crop size (" + height + ", " + width + ") is larger than the padded image ("
                    + rows.padded + ", " + cols.padded + ") of " + x.describe() + "; pad more or set padIfNeeded");
        }
        Draws draws = Draws.of(gen, 2 * in.count);
        double[] out = new double[in.count * in.channels * height * width];
        int[] srcRow = new int[height];
        int[] srcCol = new int[width];
        for (int n = 0; n < in.count; n++) {
            int top = draws.below(rows.padded - height + 1);
            int left = draws.below(cols.padded - width + 1);
            rows.map(top, mode, srcRow);
            cols.map(left, mode, srcCol);
            for (int c = 0; c < in.channels; c++) {
                int src = (n * in.channels + c) * in.planeSize();
                int dst = (n * in.channels + c) * height * width;
                for (int y = 0; y < height; y++) {
                    for (int xo = 0; xo < width; xo++) {
                        out[dst++] = srcRow[y] < 0 || srcCol[xo] < 0 ? fill : in.pixels[src + srcRow[y] * in.width + srcCol[xo]];
                    }
                }
            }
        }
        return in.toTensor(out, height, width);
    }

    /**
     * One image axis padded in two stages as torchvision does: the explicit padding, then (with
     * padIfNeeded) the shortfall on both sides of the padded axis.
     */
    private final class Axis {
        final int size;
        final int before;
        /** Length after the explicit padding. */
        final int once;
        final int extra;
        final int padded;

        Axis(int size, int before, int after, int crop) {
            this.size = size;
            this.before = before;
            this.once = size + before + after;
            this.extra = padIfNeeded && once < crop ? crop - once : 0;
            this.padded = once + 2 * extra;
        }

        /** Source index (or -1 for fill) of each of the crop's positions starting at {@code start}. */
        void map(int start, PaddingMode mode, int[] out) {
            for (int k = 0; k < out.length; k++) {
                int inOnce = mode.source(start + k - extra, once);
                out[k] = inOnce < 0 ? -1 : mode.source(inOnce - before, size);
            }
        }
    }
}
