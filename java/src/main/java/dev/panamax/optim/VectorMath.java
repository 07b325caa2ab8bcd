package dev.panamax.optim;

/** Level-1 algebra on the flat double vectors of the second-order optimizers. */
final class VectorMath {
    private VectorMath() {}

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** y += alpha·x. */
    static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += alpha * x[i];
        }
    }

    /** x + alpha·d, as a new vector. */
    static double[] plus(double[] x, double alpha, double[] d) {
        double[] r = x.clone();
        axpy(alpha, d, r);
        return r;
    }

    static double[] scaled(double alpha, double[] x) {
        double[] r = new double[x.length];
        axpy(alpha, x, r);
        return r;
    }

    static double[] minus(double[] a, double[] b) {
        return plus(a, -1, b);
    }

    /** The infinity norm, max |x_i|. */
    static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** The 1-norm, sum |x_i|. */
    static double sumAbs(double[] x) {
        double s = 0;
        for (double v : x) {
            s += Math.abs(v);
        }
        return s;
    }

    static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }
}
