package dev.panamax.optim;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * The two test problems of the optimizer tests, as closures over parameter tensors: the 2-D
 * Rosenbrock function from (-1.5, 2), and an L2-regularised logistic regression on a fixed data
 * set. The formulas are those of src/test/resources/optim/scipy_reference.py.
 */
final class Problems {
    static final int SAMPLES = 200;
    static final int FEATURES = 4;
    static final double LAMBDA = 1e-3;
    /** The minimum of the logistic loss (scipy, every method agrees to 1e-9). */
    static final double LOGISTIC_MINIMUM = 0.2924871721;

    private Problems() {}

    /** A problem: its parameters (fresh leaves), its loss as a closure, and its exact Hessian. */
    interface Problem extends AutoCloseable {
        List<Tensor> params();

        /** Loss of the current parameters as a graph (the caller runs backward). */
        Tensor loss();

        /** The Hessian at the current parameters, [n, n] float64. */
        Tensor hessian();

        /** The closure an optimizer calls: zero the gradients, loss, backward. */
        default LossClosure closure() {
            return () -> {
                params().forEach(Tensor::zeroGrad);
                try (Scope ignored = Scope.open()) {
                    Tensor l = loss();
                    l.backward();
                    return l.item();
                }
            };
        }

        /** The values of every parameter, flattened in order. */
        default double[] values() {
            return params().stream().flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray())).toArray();
        }

        @Override
        default void close() {
            params().forEach(Tensor::close);
        }
    }

    /** A tensor of the given dtype holding {@code values}, owned by the caller. */
    static Tensor tensor(double[] values, DType dtype, long... shape) {
        try (Tensor t = Tensor.of(values, shape)) {
            return t.to(dtype).unscoped();
        }
    }

    /** Rosenbrock's (1 - x)² + 100 (y - x²)², minimum 0 at (1, 1), from (-1.5, 2). */
    static Problem rosenbrock(DType dtype) {
        Tensor xy = tensor(new double[] {-1.5, 2}, dtype, 2).requiresGrad(true);
        return new Problem() {
            @Override
            public List<Tensor> params() {
                return List.of(xy);
            }

            @Override
            public Tensor loss() {
                Tensor x = xy.select(0, 0);
                Tensor y = xy.select(0, 1);
                Tensor a = x.neg().add(1);
                Tensor b = y.sub(x.square());
                return a.square().add(b.square().mul(100));
            }

            @Override
            public Tensor hessian() {
                double[] v = xy.toDoubleArray();
                double x = v[0];
                double y = v[1];
                return Tensor.of(new double[] {2 - 400 * (y - x * x) + 800 * x * x, -400 * x, -400 * x, 200}, 2, 2);
            }
        };
    }

    /** The data set: x[i][j] = sin(1.7 i + 2.3 j² + 0.5)·(1 + 0.5 j), labels from a rule plus deterministic noise. */
    static double[][] features() {
        double[][] x = new double[SAMPLES][FEATURES];
        for (int i = 0; i < SAMPLES; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = Math.sin(1.7 * i + 2.3 * j * j + 0.5) * (1 + 0.5 * j);
            }
        }
        return x;
    }

    static double[] labels(double[][] x) {
        double[] w = {1.5, -2.0, 1.0, 0.5};
        double[] y = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            double z = 0;
            for (int j = 0; j < FEATURES; j++) {
                z += x[i][j] * w[j];
            }
            y[i] = z + 0.8 * Math.sin(13.1 * i) > 0.1 ? 1 : 0;
        }
        return y;
    }

    /**
     * mean(softplus(z) - y·z) + λ/2·|w|² with z = X w + b; parameters w [4] and b [1] from zero.
     */
    static Problem logistic(DType dtype) {
        double[][] xs = features();
        double[] ys = labels(xs);
        double[] flat = new double[SAMPLES * FEATURES];
        for (int i = 0; i < SAMPLES; i++) {
            System.arraycopy(xs[i], 0, flat, i * FEATURES, FEATURES);
        }
        Tensor data = tensor(flat, dtype, SAMPLES, FEATURES);
        Tensor target = tensor(ys, dtype, SAMPLES);
        Tensor w = Tensor.zeros(dtype, FEATURES).unscoped().requiresGrad(true);
        Tensor b = Tensor.zeros(dtype, 1).unscoped().requiresGrad(true);
        return new Problem() {
            @Override
            public List<Tensor> params() {
                return List.of(w, b);
            }

            @Override
            public Tensor loss() {
                Tensor z = data.matmul(w).add(b);
                Tensor nll = z.softplus(1, 50).sub(target.mul(z)).mean();
                return nll.add(w.square().sum().mul(LAMBDA / 2));
            }

            @Override
            public Tensor hessian() {
                double[] wv = w.toDoubleArray();
                double bv = b.item();
                int n = FEATURES + 1;
                double[] h = new double[n * n];
                for (int i = 0; i < SAMPLES; i++) {
                    double z = bv;
                    for (int j = 0; j < FEATURES; j++) {
                        z += xs[i][j] * wv[j];
                    }
                    double s = 1 / (1 + Math.exp(-z));
                    double weight = s * (1 - s) / SAMPLES;
                    for (int r = 0; r < n; r++) {
                        for (int c = 0; c < n; c++) {
                            h[r * n + c] += weight * (r < FEATURES ? xs[i][r] : 1) * (c < FEATURES ? xs[i][c] : 1);
                        }
                    }
                }
                for (int j = 0; j < FEATURES; j++) {
                    h[j * n + j] += LAMBDA;
                }
                return Tensor.of(h, n, n);
            }

            @Override
            public void close() {
                Problem.super.close();
                data.close();
                target.close();
            }
        };
    }
}
