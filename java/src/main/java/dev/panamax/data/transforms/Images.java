package dev.panamax.data.transforms;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;

/**
 * The images of a float tensor of shape [C, H, W] or [B, C, H, W], copied to a host array in
 * double precision for the geometric transforms (which move pixels, so they gain nothing from
 * vector kernels), and the way back to a tensor of the input's rank and dtype.
 */
final class Images {
    final boolean batched;
    final DType dtype;
    final int count;
    final int channels;
    final int height;
    final int width;
    final double[] pixels;

    private Images(Tensor x) {
        batched = x.rank() == 4;
        dtype = x.dtype();
        count = batched ? (int) x.size(0) : 1;
        channels = (int) x.size(-3);
        height = (int) x.size(-2);
        width = (int) x.size(-1);
        pixels = x.toDoubleArray();
    }

    /** Checks that {@code x} is a float image or batch of images, naming {@code op} otherwise. */
    static Images of(String op, Tensor x) {
        check(op, x);
        return new Images(x);
    }

    static void check(String op, Tensor x) {
        if ((x.rank() != 3 && x.rank() != 4) || !x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a float32 or float64 tensor of shape [C, H, W] or [B, C, H, W], got "
                    + x.describe());
        }
        if (x.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": " + x.describe() + " has more than 2^31 elements; transform it in smaller batches");
        }
    }

    int planeSize() {
        return height * width;
    }

    int imageSize() {
        return channels * height * width;
    }

    /** A tensor of this batch's rank and dtype holding {@code values}, images of {@code h × w}. */
    Tensor toTensor(double[] values, int h, int w) {
        long[] shape = batched ? new long[] {count, channels, h, w} : new long[] {channels, h, w};
        if (dtype == DType.FLOAT64) {
            return Tensor.of(values, shape);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return Tensor.of(f, shape);
    }

    /** Per-channel values from a list of 1 (shared) or C numbers, as torchvision accepts them. */
    double[] perChannel(String op, String arg, double[] values) {
        if (values.length == channels) {
            return values.clone();
        }
        if (values.length == 1) {
            double[] r = new double[channels];
            java.util.Arrays.fill(r, values[0]);
            return r;
        }
        throw new IllegalArgumentException(op + ": " + arg + " has " + values.length + " values but the images have " + channels
                + " channels (give 1 or " + channels + ")");
    }
}
