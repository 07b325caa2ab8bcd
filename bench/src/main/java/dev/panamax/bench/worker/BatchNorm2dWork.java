package dev.panamax.bench.worker;

/**
 * Training-mode {@code batchNorm} of x [n, c, h, w] with an affine weight and bias and running statistics
 * (PyTorch's momentum 0.1 and eps 1e-5; running mean 0 and variance 1 at the start): the output, and the
 * running statistics after the first run, are compared.
 */
public record BatchNorm2dWork(String id, int n, int c, int h, int w) implements Workload {
    public static final double MOMENTUM = 0.1;
    public static final double EPS = 1e-5;

    @Override
    public String title() {
        return "batchNorm2d train fwd N" + n + " C" + c + " " + h + "x" + w;
    }

    @Override
    public String family() {
        return "norm";
    }

    @Override
    public double flops() {
        return 0;
    }

    /** Uniform in [-1, 3): a mean and variance away from the running statistics' start. */
    public float[] input() {
        return Inputs.uniform(31, n * c * h * w, -1, 3);
    }

    public float[] weight() {
        return Inputs.uniform(32, c, 0.5, 1.5);
    }

    public float[] bias() {
        return Inputs.uniform(33, c, -0.5, 0.5);
    }
}
