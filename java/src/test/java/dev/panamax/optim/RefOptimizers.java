package dev.panamax.optim;

/**
 * Double-precision references of PyTorch's first-order update rules (torch/optim/*.py,
 * {@code _single_tensor_*}), element by element in plain loops. Each rule is a stateful step
 * function over a parameter vector and its gradient; its state appears on the first call.
 */
final class RefOptimizers {
    private RefOptimizers() {}

    /** One step of a rule: updates {@code p} in place from {@code grad}. */
    interface Rule {
        void step(double[] p, double[] grad);
    }

    static Rule sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        double[][] buf = {null};
        return (p, grad) -> {
            boolean first = buf[0] == null;
            if (first) {
                buf[0] = new double[p.length];
            }
            for (int i = 0; i < p.length; i++) {
                double g = grad[i] + weightDecay * p[i];
                if (momentum != 0) {
                    buf[0][i] = first ? g : momentum * buf[0][i] + (1 - dampening) * g;
                    g = nesterov ? g + momentum * buf[0][i] : buf[0][i];
                }
                p[i] -= lr * g;
            }
        };
    }

    static Rule adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulator, double eps) {
        double[][] sum = {null};
        int[] step = {0};
        return (p, grad) -> {
            if (sum[0] == null) {
                sum[0] = new double[p.length];
                java.util.Arrays.fill(sum[0], initialAccumulator);
            }
            step[0]++;
            double clr = lr / (1 + (step[0] - 1) * lrDecay);
            for (int i = 0; i < p.length; i++) {
                double g = grad[i] + weightDecay * p[i];
                sum[0][i] += g * g;
                p[i] -= clr * g / (Math.sqrt(sum[0][i]) + eps);
            }
        };
    }

    static Rule adadelta(double lr, double rho, double eps, double weightDecay) {
        double[][] s = {null, null}; // square_avg, acc_delta
        return (p, grad) -> {
            if (s[0] == null) {
                s[0] = new double[p.length];
                s[1] = new double[p.length];
            }
            for (int i = 0; i < p.length; i++) {
                double g = grad[i] + weightDecay * p[i];
                s[0][i] = rho * s[0][i] + (1 - rho) * g * g;
                double delta = Math.sqrt(s[1][i] + eps) / Math.sqrt(s[0][i] + eps) * g;
                s[1][i] = rho * s[1][i] + (1 - rho) * delta * delta;
                p[i] -= lr * delta;
            }
        };
    }

    static Rule rmsprop(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        double[][] s = {null, null, null}; // square_avg, grad_avg, momentum_buffer
        return (p, grad) -> {
            if (s[0] == null) {
                s[0] = new double[p.length];
                s[1] = new double[p.length];
                s[2] = new double[p.length];
            }
            for (int i = 0; i < p.length; i++) {
                double g = grad[i] + weightDecay * p[i];
                s[0][i] = alpha * s[0][i] + (1 - alpha) * g * g;
                double avg;
                if (centered) {
                    s[1][i] = alpha * s[1][i] + (1 - alpha) * g;
                    avg = Math.sqrt(s[0][i] - s[1][i] * s[1][i]) + eps;
                } else {
                    avg = Math.sqrt(s[0][i]) + eps;
                }
                if (momentum > 0) {
                    s[2][i] = momentum * s[2][i] + g / avg;
                    p[i] -= lr * s[2][i];
                } else {
                    p[i] -= lr * g / avg;
                }
            }
        };
    }

    /** Adam; with {@code decoupled} the weight decay scales the parameter first (AdamW). */
    static Rule adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean decoupled) {
        double[][] s = {null, null, null}; // exp_avg, exp_avg_sq, max_exp_avg_sq
        int[] step = {0};
        return (p, grad) -> {
            if (s[0] == null) {
                s[0] = new double[p.length];
                s[1] = new double[p.length];
                s[2] = new double[p.length];
            }
            step[0]++;
            double bc1 = 1 - Math.pow(beta1, step[0]);
            double bc2 = 1 - Math.pow(beta2, step[0]);
            for (int i = 0; i < p.length; i++) {
                double g = grad[i];
                if (decoupled) {
                    p[i] *= 1 - lr * weightDecay;
                } else {
                    g += weightDecay * p[i];
                }
                s[0][i] = beta1 * s[0][i] + (1 - beta1) * g;
                s[1][i] = beta2 * s[1][i] + (1 - beta2) * g * g;
                s[2][i] = Math.max(s[2][i], s[1][i]);
                double v = amsgrad ? s[2][i] : s[1][i];
                p[i] -= lr / bc1 * s[0][i] / (Math.sqrt(v) / Math.sqrt(bc2) + eps);
            }
        };
    }

    static Rule nadam(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay, boolean decoupled) {
        double[][] s = {null, null}; // exp_avg, exp_avg_sq
        double[] muProduct = {1};
        int[] step = {0};
        return (p, grad) -> {
            if (s[0] == null) {
                s[0] = new double[p.length];
                s[1] = new double[p.length];
            }
            int t = ++step[0];
            double mu = beta1 * (1 - 0.5 * Math.pow(0.96, t * momentumDecay));
            double muNext = beta1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * momentumDecay));
            muProduct[0] *= mu;
            double bc2 = 1 - Math.pow(beta2, t);
            for (int i = 0; i < p.length; i++) {
                double g = grad[i];
                if (decoupled) {
                    p[i] *= 1 - lr * weightDecay;
                } else {
                    g += weightDecay * p[i];
                }
                s[0][i] = beta1 * s[0][i] + (1 - beta1) * g;
                s[1][i] = beta2 * s[1][i] + (1 - beta2) * g * g;
                double denom = Math.sqrt(s[1][i] / bc2) + eps;
                p[i] -= lr * (1 - mu) / (1 - muProduct[0]) * g / denom;
                p[i] -= lr * muNext / (1 - muProduct[0] * muNext) * s[0][i] / denom;
            }
        };
    }
}
