package dev.panamax.bench.worker;

/** {@code maxPool2d} (values only) of x [n, c, h, w] uniform in [-1, 1), square window, stride and padding. */
public record MaxPool2dWork(String id, int n, int c, int h, int w, int kernel, int stride, int padding) implements Workload {
    @Override
    public String title() {
        return "maxPool2d " + kernel + "x" + kernel + " s" + stride + " p" + padding + " N" + n + " C" + c + " " + h + "x" + w;
    }

    @Override
    public String family() {
        return "pool";
    }

    @Override
    public double flops() {
        return 0;
    }

    public int outH() {
        return (h + 2 * padding - kernel) / stride + 1;
    }

    public int outW() {
        return (w + 2 * padding - kernel) / stride + 1;
    }

    public float[] input() {
        return Inputs.uniform(21, n * c * h * w, -1, 1);
    }
}
