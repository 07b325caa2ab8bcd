package dev.panamax.backend.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.backend.cpu.gemm.TestMatrix.Layout;
import java.lang.foreign.Arena;
import java.util.Random;

/**
 * One product to check: random A (m x k), B (k x n) and C (m x n, all NaN when beta is 0) in the given
 * layouts, the product under test, then parity with {@link Reference} and no write outside C.
 */
record GemmCase(int m, int n, int k, Layout aLayout, Layout bLayout, Layout cLayout, float alpha, float beta) {
    /** Runs C = alpha * A * B + beta * C with the operands' own offsets and strides. */
    @FunctionalInterface
    interface Product {
        void run(float alpha, TestMatrix a, TestMatrix b, float beta, TestMatrix c);
    }

    static final Product SGEMM = (alpha, a, b, beta, c) -> Sgemm.sgemm(c.rows(), c.cols(), a.cols(), alpha,
            a.segment(), a.offset(), a.rowStride(), a.colStride(),
            b.segment(), b.offset(), b.rowStride(), b.colStride(), beta,
            c.segment(), c.offset(), c.rowStride(), c.colStride());

    static GemmCase rowMajor(int m, int n, int k) {
        return new GemmCase(m, n, k, Layout.ROW_MAJOR, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1f, 0f);
    }

    GemmCase layouts(Layout a, Layout b, Layout c) {
        return new GemmCase(m, n, k, a, b, c, alpha, beta);
    }

    GemmCase scalars(float alpha, float beta) {
        return new GemmCase(m, n, k, aLayout, bLayout, cLayout, alpha, beta);
    }

    void check(Product product) {
        var random = new Random(31L * m + 17L * n + k);
        try (Arena arena = Arena.ofShared()) {
            TestMatrix a = TestMatrix.random(arena, m, k, aLayout, random);
            TestMatrix b = TestMatrix.random(arena, k, n, bLayout, random);
            TestMatrix c = beta == 0 ? TestMatrix.allocate(arena, m, n, cLayout) : TestMatrix.random(arena, m, n, cLayout, random);
            double[][] expected = Reference.product(alpha, a.toDoubles(), b.toDoubles(), beta, c.toDoubles(), m, n, k);
            product.run(alpha, a, b, beta, c);
            Reference.assertClose(expected, c, alpha, a.maxAbs(), b.maxAbs(), toString());
            assertTrue(c.gapsUntouched(), this + ": wrote outside C");
        }
    }
}
