package dev.panamax.backend;

/**
 * Elementwise functions of one tensor, with up to two scalar parameters {@code p0, p1}.
 *
 * <p>Each constant defines the function and its derivative in double precision; this is the
 * semantic definition every backend must match (the CPU backend's float32 kernels vectorise
 * the same formulas). The derivative may use the input {@code x}, the output {@code y}, or
 * both, whichever is cheaper and stabler.
 */
public enum UnaryOp {
    NEG {
        public double apply(double x, double p0, double p1) { return -x; }
        public double derivative(double x, double y, double p0, double p1) { return -1; }
    },
    EXP {
        public double apply(double x, double p0, double p1) { return Math.exp(x); }
        public double derivative(double x, double y, double p0, double p1) { return y; }
    },
    LOG {
        public double apply(double x, double p0, double p1) { return Math.log(x); }
        public double derivative(double x, double y, double p0, double p1) { return 1 / x; }
    },
    LOG1P {
        public double apply(double x, double p0, double p1) { return Math.log1p(x); }
        public double derivative(double x, double y, double p0, double p1) { return 1 / (1 + x); }
    },
    SQRT {
        public double apply(double x, double p0, double p1) { return Math.sqrt(x); }
        public double derivative(double x, double y, double p0, double p1) { return 0.5 / y; }
    },
    RSQRT {
        public double apply(double x, double p0, double p1) { return 1 / Math.sqrt(x); }
        public double derivative(double x, double y, double p0, double p1) { return -0.5 * y * y * y; }
    },
    ABS {
        public double apply(double x, double p0, double p1) { return Math.abs(x); }
        public double derivative(double x, double y, double p0, double p1) { return Math.signum(x); }
    },
    /** -1, 0 or 1 (NaN stays NaN); gradient zero. */
    SIGN {
        public double apply(double x, double p0, double p1) { return Math.signum(x); }
        public double derivative(double x, double y, double p0, double p1) { return 0; }
    },
    /** x^p0, with C's special cases ({@link ScalarMath#pow}). */
    POW_SCALAR {
        public double apply(double x, double p0, double p1) { return ScalarMath.pow(x, p0); }
        public double derivative(double x, double y, double p0, double p1) {
            return p0 == 0 ? 0 : p0 * Math.pow(x, p0 - 1);
        }
    },
    /** Clamps into [p0, p1]; gradient 1 inside the closed interval, as in PyTorch. */
    CLAMP {
        public double apply(double x, double p0, double p1) { return Double.isNaN(x) ? x : Math.min(Math.max(x, p0), p1); }
        public double derivative(double x, double y, double p0, double p1) { return x >= p0 && x <= p1 ? 1 : 0; }
    },
    SIGMOID {
        public double apply(double x, double p0, double p1) { return 1 / (1 + Math.exp(-x)); }
        public double derivative(double x, double y, double p0, double p1) { return y * (1 - y); }
    },
    TANH {
        public double apply(double x, double p0, double p1) { return Math.tanh(x); }
        public double derivative(double x, double y, double p0, double p1) { return 1 - y * y; }
    },
    RELU {
        public double apply(double x, double p0, double p1) { return x > 0 ? x : (Double.isNaN(x) ? x : 0); }
        public double derivative(double x, double y, double p0, double p1) { return x > 0 ? 1 : 0; }
    },
    /** x for x &gt; 0, else p0 * x. */
    LEAKY_RELU {
        public double apply(double x, double p0, double p1) { return x > 0 ? x : p0 * x; }
        public double derivative(double x, double y, double p0, double p1) { return x > 0 ? 1 : p0; }
    },
    /** x for x &gt; 0, else p0 * (e^x - 1). */
    ELU {
        public double apply(double x, double p0, double p1) { return x > 0 ? x : p0 * Math.expm1(x); }
        public double derivative(double x, double y, double p0, double p1) { return x > 0 ? 1 : p0 * Math.exp(x); }
    },
    /** Self-normalising ELU with the constants of Klambauer et al. (2017). */
    SELU {
        public double apply(double x, double p0, double p1) { return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)); }
        public double derivative(double x, double y, double p0, double p1) {
            return SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x));
        }
    },
    /** x * Phi(x), the exact GELU. */
    GELU {
        public double apply(double x, double p0, double p1) { return x * ScalarMath.normalCdf(x); }
        public double derivative(double x, double y, double p0, double p1) {
            return ScalarMath.normalCdf(x) + x * ScalarMath.normalPdf(x);
        }
    },
    /** GELU's tanh approximation (PyTorch's {@code approximate="tanh"}). */
    GELU_TANH {
        public double apply(double x, double p0, double p1) {
            return 0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x * x * x)));
        }
        public double derivative(double x, double y, double p0, double p1) {
            double inner = GELU_K * (x + 0.044715 * x * x * x);
            double t = Math.tanh(inner);
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * x * x);
        }
    },
    /** (1/p0) log(1 + e^(p0 x)), linear where p0 x &gt; p1 (beta, threshold). */
    SOFTPLUS {
        public double apply(double x, double p0, double p1) {
            return p0 * x > p1 ? x : Math.log1p(Math.exp(p0 * x)) / p0;
        }
        public double derivative(double x, double y, double p0, double p1) {
            return p0 * x > p1 ? 1 : 1 / (1 + Math.exp(-p0 * x));
        }
    },
    /** x * sigmoid(x), also called swish. */
    SILU {
        public double apply(double x, double p0, double p1) { return x / (1 + Math.exp(-x)); }
        public double derivative(double x, double y, double p0, double p1) {
            double s = 1 / (1 + Math.exp(-x));
            return s * (1 + x * (1 - s));
        }
    },
    /** Clamps into [p0, p1]; gradient 1 strictly inside, as in PyTorch. */
    HARDTANH {
        public double apply(double x, double p0, double p1) { return Double.isNaN(x) ? x : Math.min(Math.max(x, p0), p1); }
        public double derivative(double x, double y, double p0, double p1) { return x > p0 && x < p1 ? 1 : 0; }
    },
    /**
     * Heaviside step: 1 for x &gt; 0, 0 for x &lt; 0, p0 at 0 ({@code torch.heaviside}). Its gradient is
     * zero everywhere (undefined at 0), so nothing learns through it: it is here for the
     * perceptron, not for gradient descent.
     */
    STEP {
        public double apply(double x, double p0, double p1) { return x > 0 ? 1 : x < 0 ? 0 : (x == 0 ? p0 : x); }
        public double derivative(double x, double y, double p0, double p1) { return 0; }
    },
    /** Boolean not: 1 where x == 0, else 0. */
    LOGICAL_NOT {
        public double apply(double x, double p0, double p1) { return x == 0 ? 1 : 0; }
        public double derivative(double x, double y, double p0, double p1) { return 0; }
    };

    static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    static final double SELU_SCALE = 1.0507009873554804934193349852946;
    static final double GELU_K = 0.7978845608028654; // sqrt(2/pi)

    /** y = f(x). */
    public abstract double apply(double x, double p0, double p1);

    /** dy/dx at x, given y = f(x). */
    public abstract double derivative(double x, double y, double p0, double p1);
}
