package dev.panamax.backend.cpu.gemm;

/** The naive double-precision product every GEMM is compared with, and the float tolerance used. */
final class Reference {
    /**
     * Tolerance for a float product, relative to the size of the result: {@code 1e-5 * scale} with scale =
     * max(max|C_ref|, |alpha| max|A| max|B|). Float sums of k terms are off by about sqrt(k) * 6e-8 of
     * their magnitude in practice, far below this, while a missing or doubled term is far above it.
     */
    static final double FLOAT_RELATIVE_TOLERANCE = 1e-5;

    private Reference() {}

    /** alpha * A * B + beta * C0 in double; beta == 0 ignores C0 (which may hold NaN). */
    static double[][] product(double alpha, double[][] a, double[][] b, double beta, double[][] c0, int m, int n, int k) {
        double[][] c = new double[m][n];
        for (int i = 0; i < m; i++) {
            double[] row = c[i];
            for (int p = 0; p < k; p++) {
                double aip = a[i][p];
                double[] bRow = b[p];
                for (int j = 0; j < n; j++) {
                    row[j] += aip * bRow[j];
                }
            }
            for (int j = 0; j < n; j++) {
                row[j] = alpha * row[j] + (beta == 0 ? 0 : beta * c0[i][j]);
            }
        }
        return c;
    }

    static void assertClose(double[][] expected, TestMatrix actual, double alpha, double maxA, double maxB, String what) {
        double scale = Math.abs(alpha) * maxA * maxB;
        for (double[] row : expected) {
            for (double v : row) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        double tolerance = FLOAT_RELATIVE_TOLERANCE * scale;
        for (int i = 0; i < actual.rows(); i++) {
            for (int j = 0; j < actual.cols(); j++) {
                double diff = Math.abs(actual.get(i, j) - expected[i][j]);
                if (!(diff <= tolerance)) {
                    throw new AssertionError(String.format("%s: C(%d,%d) = %s, expected %s (tolerance %.3g)",
                            what, i, j, actual.get(i, j), expected[i][j], tolerance));
                }
            }
        }
    }
}
