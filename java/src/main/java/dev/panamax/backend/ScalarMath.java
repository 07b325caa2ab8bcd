package dev.panamax.backend;

/** Double-precision special functions that {@link Math} lacks. */
public final class ScalarMath {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;

    private ScalarMath() {}

    /** The error function, accurate to about 1e-15 absolute. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (Math.abs(x) < 2.0) {
            return erfSeries(x);
        }
        return Math.copySign(1.0 - erfcContinuedFraction(Math.abs(x)), x);
    }

    /** The complementary error function 1 - erf(x), without cancellation for large x. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x < 0) {
            return 2.0 - erfc(-x);
        }
        return x < 2.0 ? 1.0 - erfSeries(x) : erfcContinuedFraction(x);
    }

    /** The standard normal cumulative distribution function. */
    public static double normalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2.0));
    }

    /** The standard normal density. */
    public static double normalPdf(double x) {
        return Math.exp(-0.5 * x * x) * (INV_SQRT_PI / Math.sqrt(2.0));
    }

    /**
     * a^b with C's special cases (and so PyTorch's) where {@link Math#pow} differs: 1^b = 1 for
     * every b, NaN included, and (-1)^(+-inf) = 1; Java gives NaN for both.
     */
    public static double pow(double a, double b) {
        if (a == 1 || (a == -1 && Double.isInfinite(b))) {
            return 1;
        }
        return Math.pow(a, b);
    }

    /** erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (1*3*...*(2n+1)): positive terms, no cancellation. */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 100; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /** erfc(x) for x >= 2 by the Laplace continued fraction, evaluated with Lentz's method. */
    private static double erfcContinuedFraction(double x) {
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        if (x == Double.POSITIVE_INFINITY) {
            return 0; // Lentz's steps would compute inf * 0
        }
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int n = 1; n < 500; n++) {
            double a = n * 0.5;
            d = x + a * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x * x) * INV_SQRT_PI / f;
    }
}
