package dev.panamax.bench.worker;

/** Row-major single-precision {@code C = A * B}, A m x k and B k x n uniform in [-1, 1). */
public record GemmWork(int m, int n, int k) implements Workload {
    @Override
    public String id() {
        return "gemm-" + m + "x" + k + "x" + n;
    }

    @Override
    public String title() {
        return "sgemm " + m + "x" + k + "x" + n;
    }

    @Override
    public String family() {
        return "gemm";
    }

    @Override
    public double flops() {
        return 2.0 * m * n * k;
    }

    public float[] a() {
        return Inputs.uniform(1, m * k, -1, 1);
    }

    public float[] b() {
        return Inputs.uniform(2, k * n, -1, 1);
    }
}
