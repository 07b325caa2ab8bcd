package dev.panamax.bench.worker;

/**
 * {@code conv2d} of x [n, c, h, w] with k filters of size kernel x kernel and a bias, square stride and
 * padding; with {@code backward}, also the gradients of input, weight and bias for an upstream gradient of
 * ones (what DJL's {@code GradientCollector.backward} seeds). Weight and bias have PyTorch's default
 * initialisation.
 */
public record Conv2dWork(String id, int n, int c, int h, int w, int k, int kernel, int stride, int padding, boolean backward)
        implements Workload {
    @Override
    public String title() {
        return "conv2d " + kernel + "x" + kernel + (stride > 1 ? " s" + stride : "") + " p" + padding + " N" + n + " C" + c + " "
                + h + "x" + w + " K" + k + (backward ? " fwd+bwd" : " fwd");
    }

    @Override
    public String family() {
        return "conv";
    }

    public int outH() {
        return (h + 2 * padding - kernel) / stride + 1;
    }

    public int outW() {
        return (w + 2 * padding - kernel) / stride + 1;
    }

    /** The forward product counts 2 n k P Q c r s; each of the two gradients as much again. */
    @Override
    public double flops() {
        double forward = 2.0 * n * k * outH() * outW() * c * kernel * kernel;
        return backward ? 3 * forward : forward;
    }

    public float[] input() {
        return Inputs.uniform(11, n * c * h * w, -1, 1);
    }

    public float[] weight() {
        return Inputs.layerDefault(12, k * c * kernel * kernel, c * kernel * kernel);
    }

    public float[] bias() {
        return Inputs.layerDefault(13, k, c * kernel * kernel);
    }
}
