package dev.panamax.nn;

/** The thin Q factor of a QR decomposition by Householder reflections (for orthogonal init). */
final class HouseholderQr {
    private HouseholderQr() {}

    /**
     * For a row-major m×n matrix (m >= n), the m×n matrix Q with orthonormal columns such that
     * A = QR and diag(R) >= 0 (the sign correction that makes Q uniformly distributed).
     */
    static double[] thinQ(double[] a, int m, int n) {
        double[] r = a.clone();
        double[][] v = new double[n][];
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int i = k; i < m; i++) {
                norm += r[i * n + k] * r[i * n + k];
            }
            norm = Math.sqrt(norm);
            double alpha = r[k * n + k] > 0 ? -norm : norm;
            double[] vk = new double[m];
            for (int i = k; i < m; i++) {
                vk[i] = r[i * n + k];
            }
            vk[k] -= alpha;
            double vnorm = 0;
            for (int i = k; i < m; i++) {
                vnorm += vk[i] * vk[i];
            }
            if (vnorm > 0) {
                reflect(r, m, n, vk, k, vnorm);
            }
            v[k] = vnorm > 0 ? vk : null;
        }
        // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity
        double[] q = new double[m * n];
        for (int j = 0; j < n; j++) {
            q[j * n + j] = 1;
        }
        for (int k = n - 1; k >= 0; k--) {
            if (v[k] != null) {
                double vnorm = 0;
                for (int i = k; i < m; i++) {
                    vnorm += v[k][i] * v[k][i];
                }
                reflect(q, m, n, v[k], k, vnorm);
            }
        }
        for (int j = 0; j < n; j++) {
            if (r[j * n + j] < 0) {
                for (int i = 0; i < m; i++) {
                    q[i * n + j] = -q[i * n + j];
                }
            }
        }
        return q;
    }

    /** x := (I - 2 v vᵀ / |v|²) x for every column of x (rows k.. only, since v is zero above k). */
    private static void reflect(double[] x, int m, int n, double[] v, int k, double vnorm) {
        for (int j = 0; j < n; j++) {
            double dot = 0;
            for (int i = k; i < m; i++) {
                dot += v[i] * x[i * n + j];
            }
            double f = 2 * dot / vnorm;
            for (int i = k; i < m; i++) {
                x[i * n + j] -= f * v[i];
            }
        }
    }
}
