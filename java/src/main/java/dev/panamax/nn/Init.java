package dev.panamax.nn;

import dev.panamax.autograd.GradMode;
import dev.panamax.backend.RandomKind;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Locale;

/**
 * Weight initialisers, as {@code torch.nn.init}: each fills a tensor in place (outside the
 * graph) and returns it.
 */
public final class Init {
    private static final ThreadLocal<int[]> SKIPPING = ThreadLocal.withInitial(() -> new int[1]);

    private Init() {}

    /** An open {@link #skipped()} region; closing it ends it. */
    public static final class Skip implements AutoCloseable {
        private boolean open = true;

        private Skip() {
            SKIPPING.get()[0]++;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                SKIPPING.get()[0]--;
            }
        }
    }

    /**
     * Until the returned region is closed, the random initialisers on this thread leave tensors
     * as allocated, with arbitrary values (PyTorch's {@code skip_init}): for building a model only
     * to count its parameters or to load its weights, at the cost of allocation alone. Constant
     * fills (ones, zeros) still run.
     */
    public static Skip skipped() {
        return new Skip();
    }

    /** Fan modes of the Kaiming initialisers. */
    public enum FanMode { FAN_IN, FAN_OUT }

    /**
     * PyTorch's recommended gain for a nonlinearity: linear/conv/sigmoid 1, tanh 5/3, relu √2,
     * leaky_relu √(2/(1+slope²)), selu 3/4.
     */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity.toLowerCase(Locale.ROOT)) {
            case "linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("calculateGain: unsupported nonlinearity '" + nonlinearity + "'");
        };
    }

    /** {fan_in, fan_out} of a weight [out, in, kernel...] (at least 2-D). */
    public static long[] fans(Tensor t) {
        if (t.rank() < 2) {
            throw new IllegalArgumentException("fan in and fan out need a tensor of at least 2 dims, got " + t.shape());
        }
        long receptive = 1;
        for (int d = 2; d < t.rank(); d++) {
            receptive *= t.size(d);
        }
        return new long[] {t.size(1) * receptive, t.size(0) * receptive};
    }

    public static Tensor uniform_(Tensor t, double low, double high, Generator gen) {
        return fill(t, RandomKind.UNIFORM, low, high, gen);
    }

    public static Tensor normal_(Tensor t, double mean, double std, Generator gen) {
        return fill(t, RandomKind.NORMAL, mean, std, gen);
    }

    /**
     * N(mean, std²) truncated to [a, b] (absolute bounds, as PyTorch's {@code trunc_normal_}): values
     * outside are redrawn until none is left.
     */
    public static Tensor truncNormal_(Tensor t, double mean, double std, double a, double b, Generator gen) {
        if (!(a < b)) {
            throw new IllegalArgumentException("truncNormal_: need a < b, got a=" + a + " b=" + b);
        }
        normal_(t, mean, std, gen);
        if (SKIPPING.get()[0] > 0) {
            return t;
        }
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            while (true) {
                try (Tensor below = t.lt(a); Tensor above = t.gt(b); Tensor outside = below.logicalOr(above);
                     Tensor count = outside.sum()) {
                    if (count.item() == 0) {
                        return t;
                    }
                    try (Tensor redrawn = Tensor.empty(t.shape(), t.dtype(), t.device()).random_(gen, RandomKind.NORMAL, mean, std);
                         Tensor merged = Tensor.where(outside, redrawn, t)) {
                        t.copy_(merged);
                    }
                }
            }
        }
    }

    public static Tensor constant_(Tensor t, double value) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            return t.fill_(value);
        }
    }

    public static Tensor zeros_(Tensor t) {
        return constant_(t, 0);
    }

    public static Tensor ones_(Tensor t) {
        return constant_(t, 1);
    }

    /** Glorot & Bengio (2010): U(-b, b) with b = gain·√(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform_(Tensor t, double gain, Generator gen) {
        long[] f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform_(t, -bound, bound, gen);
    }

    /** N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal_(Tensor t, double gain, Generator gen) {
        long[] f = fans(t);
        return normal_(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), gen);
    }

    /** He et al. (2015): U(-b, b) with b = gain·√(3 / fan), gain from the nonlinearity and {@code a}. */
    public static Tensor kaimingUniform_(Tensor t, double a, FanMode mode, String nonlinearity, Generator gen) {
        double bound = Math.sqrt(3.0) * calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode));
        return uniform_(t, -bound, bound, gen);
    }

    /** N(0, std²) with std = gain / √fan. */
    public static Tensor kaimingNormal_(Tensor t, double a, FanMode mode, String nonlinearity, Generator gen) {
        return normal_(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode)), gen);
    }

    /**
     * A (semi-)orthogonal matrix (Saxe et al. 2014): the Q of a QR decomposition of a normal
     * matrix, sign-corrected so the distribution is uniform, times gain. Trailing dims are
     * flattened, as PyTorch does.
     */
    public static Tensor orthogonal_(Tensor t, double gain, Generator gen) {
        if (t.rank() < 2) {
            throw new IllegalArgumentException("orthogonal_: needs at least 2 dims, got " + t.shape());
        }
        int rows = (int) t.size(0);
        int cols = (int) (t.numel() / rows);
        boolean transpose = rows < cols;
        int m = transpose ? cols : rows;
        int n = transpose ? rows : cols;
        double[] a;
        try (Tensor normal = Tensor.randn(gen, m, n); Tensor d = normal.to(DType.FLOAT64)) {
            a = d.toDoubleArray();
        }
        double[] q = HouseholderQr.thinQ(a, m, n);
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = gain * (transpose ? q[j * n + i] : q[i * n + j]);
            }
        }
        try (GradMode.Guard ignored = GradMode.noGrad(); Tensor v = Tensor.of(out, t.shape().toArray())) {
            return t.copy_(v);
        }
    }

    private static long fan(Tensor t, FanMode mode) {
        long[] f = fans(t);
        return mode == FanMode.FAN_IN ? f[0] : f[1];
    }

    private static Tensor fill(Tensor t, RandomKind kind, double p0, double p1, Generator gen) {
        if (SKIPPING.get()[0] > 0) {
            return t;
        }
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            return t.random_(gen, kind, p0, p1);
        }
    }

    /** The default of PyTorch's Linear and ConvNd: kaiming_uniform(a=√5) weights, bias U(±1/√fan_in). */
    static void pytorchDefault(Tensor weight, Tensor bias, Generator gen) {
        kaimingUniform_(weight, Math.sqrt(5), FanMode.FAN_IN, "leaky_relu", gen);
        if (bias != null) {
            double bound = 1 / Math.sqrt(fans(weight)[0]);
            uniform_(bias, -bound, bound, gen);
        }
    }
}
