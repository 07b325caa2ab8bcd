package dev.panamax.cli;

import dev.panamax.train.CurvePlot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code panamax demo rnn-activation}: gradient norm through time, tanh against ReLU. */
final class RnnActivationDemo {
    static final String USAGE = """
            usage: panamax demo rnn-activation [--hidden N] [--steps N] [--input N] [--gain G] [--seed N] [--every N] [--out DIR]
              one sequence of standard normal inputs through a tanh RNN and a ReLU RNN with the same initialisation
              (PyTorch's uniform ±1/sqrt(hidden) from the same seed, then weight_hh times G); L = sum(h_T).
              Prints ||dL/dh_t|| every N steps, writes both curves (log y) to DIR/rnn_activation.png, and says
              whether each gradient exploded (||dL/dh_1|| / ||dL/dh_T|| >= 1e3), vanished (<= 1e-3) or died (exactly 0,
              straight from a normal value: every ReLU unit off at some step).
              defaults: hidden 64, 100 steps, input 8, gain 1 (PyTorch's init; try --gain 3 for a ReLU that explodes), seed 0,
                        every 10, out runs/demo
            """;
    private static final Set<String> OPTIONS = Set.of("hidden", "steps", "input", "gain", "seed", "every", "out");

    private RnnActivationDemo() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = Args.parse("demo rnn-activation", argv, OPTIONS, Set.of());
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("demo rnn-activation: unexpected argument '" + a.positional().get(0) + "'");
        }
        int hidden = a.positiveInt("hidden", 64);
        int steps = a.positiveInt("steps", 100);
        int input = a.positiveInt("input", 8);
        double gain = a.positiveDouble("gain", 1);
        long seed = a.integer("seed", 0);
        int every = a.positiveInt("every", 10);
        Path png = Path.of(a.string("out", "runs/demo")).resolve("rnn_activation.png");

        out.printf(Locale.ROOT, "RNN, hidden %d, input %d, %d steps, weight_hh = %s x PyTorch's init, seed %d; L = sum(h_%d)%n",
                hidden, input, steps, gain == 1 ? "1" : Double.toString(gain), seed, steps);
        double[] tanh = GradientThroughTime.norms("tanh", input, hidden, steps, gain, seed);
        double[] relu = GradientThroughTime.norms("relu", input, hidden, steps, gain, seed);
        out.printf(Locale.ROOT, "%6s  %14s  %14s%n", "step t", "tanh ||dL/dh_t||", "relu ||dL/dh_t||");
        for (int t = steps; t >= 1; t--) {
            if (t == steps || t == 1 || t % every == 0) {
                out.printf(Locale.ROOT, "%6d  %16.4e  %16.4e%n", t, tanh[t - 1], relu[t - 1]);
            }
        }
        CurvePlot.write(png, "step t", List.of(new CurvePlot.Panel("||dL/dh_t|| (log scale)",
                List.of(new CurvePlot.Series("tanh", boxed(tanh)), new CurvePlot.Series("relu", boxed(relu))), false, true)));
        out.println("plot: " + png);
        out.println(GradientThroughTime.verdict("ReLU", relu) + "; " + GradientThroughTime.verdict("tanh", tanh) + ".");
        return Main.OK;
    }

    private static List<Double> boxed(double[] v) {
        List<Double> l = new ArrayList<>(v.length);
        for (double d : v) {
            l.add(d);
        }
        return l;
    }
}
