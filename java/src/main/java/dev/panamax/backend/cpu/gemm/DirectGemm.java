package dev.panamax.backend.cpu.gemm;

/**
 * Dot-product loop for products too small to pay for packing: no buffers, no threads.
 * Each C element is {@code fma(C, beta, alpha * sum)} with the sum accumulated in k order.
 */
final class DirectGemm {
    private DirectGemm() {}

    static void multiply(int m, int n, int k, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum = Math.fma(a.get(i, p), b.get(p, j), sum);
                }
                float scaled = alpha * sum;
                c.set(i, j, beta == 0 ? scaled : Math.fma(c.get(i, j), beta, scaled));
            }
        }
    }
}
