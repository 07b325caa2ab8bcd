package dev.panamax.cli;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.nn.RNNCell;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ||dL/dh_t|| at every step t of an Elman RNN whose loss depends only on its last output: the
 * measurement behind "tanh RNNs vanish, ReLU RNNs explode or die". Each step's state is
 * h_t = cell(x_t, h_{t-1}) + z_t with z_t a zero leaf, so dL/dz_t = dL/dh_t, and one backward
 * gives every step's gradient.
 */
final class GradientThroughTime {
    /** A norm ratio beyond these (first step over last step) counts as exploded or vanished. */
    static final double EXPLODED = 1e3;
    static final double VANISHED = 1e-3;
    /** Below this a float32 norm is about to underflow to 0 (the smallest normal float is 1.2e-38). */
    static final double UNDERFLOW = 1e-30;

    /** What happened to the gradient on its way back from the last step to the first. */
    enum Fate {
        EXPLODED("exploded"), VANISHED("vanished"), DIED("died"), KEPT_SCALE("kept its scale");

        final String word;

        Fate(String word) {
            this.word = word;
        }
    }

    private GradientThroughTime() {}

    /**
     * The norms, index t-1 for step t, of one sequence of standard normal inputs through an RNN cell
     * initialised from {@code seed} (PyTorch's uniform ±1/√hidden, then weight_hh times {@code gain}),
     * with L = sum(h_T).
     */
    static double[] norms(String nonlinearity, int inputSize, int hidden, int steps, double gain, long seed) {
        try (Scope ignored = Scope.open();
             RNNCell cell = new RNNCell(inputSize, hidden, true, nonlinearity, new Generator(seed))) {
            if (gain != 1) {
                try (GradMode.Guard g = GradMode.noGrad()) {
                    cell.weightHh().mul_(gain);
                }
            }
            Tensor x = Tensor.randn(new Generator(seed + 1), steps, 1, inputSize);
            List<Tensor> probes = new ArrayList<>();
            Tensor h = null;
            for (int t = 0; t < steps; t++) {
                Tensor z = Tensor.zeros(1, hidden).requiresGrad(true);
                probes.add(z);
                h = cell.forward(x.select(0, t), h).add(z);
            }
            Tensor loss = h.sum();
            Tensor[] grads = Autograd.grad(loss, null, false, false, probes.toArray(Tensor[]::new));
            double[] norms = new double[steps];
            for (int t = 0; t < steps; t++) {
                norms[t] = grads[t] == null ? 0 : norm(grads[t].toFloatArray());
            }
            return norms;
        }
    }

    /** The 2-norm in double precision: squaring tiny float32 gradients would underflow. */
    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    /** Ratio of the first step's norm to the last step's (the last one is the loss's own gradient). */
    static double ratio(double[] norms) {
        return norms[0] / norms[norms.length - 1];
    }

    static Fate fate(double[] norms) {
        for (double n : norms) {
            if (!Double.isFinite(n)) {
                return Fate.EXPLODED;
            }
        }
        if (norms[0] == 0) {
            int z = lastZeroStep(norms);
            // a drop to exactly 0 from a normal float is dead units; from below 1e-30 it is underflow
            return norms[z] >= UNDERFLOW ? Fate.DIED : Fate.VANISHED;
        }
        double r = ratio(norms);
        return r >= EXPLODED ? Fate.EXPLODED : r <= VANISHED ? Fate.VANISHED : Fate.KEPT_SCALE;
    }

    /** One line naming each curve's fate with the ratio it rests on. */
    static String verdict(String name, double[] norms) {
        Fate f = fate(norms);
        String because = switch (f) {
            case DIED -> String.format(Locale.ROOT, "exactly 0 from step %d back: every unit off", lastZeroStep(norms));
            case VANISHED -> norms[0] == 0
                    ? String.format(Locale.ROOT, "below float32's range, 0 from step %d back", lastZeroStep(norms))
                    : String.format(Locale.ROOT, "||dL/dh_1|| / ||dL/dh_%d|| = %.2e", norms.length, ratio(norms));
            default -> String.format(Locale.ROOT, "||dL/dh_1|| / ||dL/dh_%d|| = %.2e", norms.length, ratio(norms));
        };
        return name + " " + f.word + " (" + because + ")";
    }

    /** The latest step whose gradient is exactly zero (1-based), or 0 if none. */
    static int lastZeroStep(double[] norms) {
        for (int t = norms.length - 1; t >= 0; t--) {
            if (norms[t] == 0) {
                return t + 1;
            }
        }
        return 0;
    }
}
