package dev.panamax.cli;

import dev.panamax.autograd.GradMode;
import dev.panamax.nn.Module;
import dev.panamax.ops.Loss;
import dev.panamax.optim.Adam;
import dev.panamax.optim.GradClipping;
import dev.panamax.optim.Optimizer;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.CurvePlot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** {@code panamax demo long-range}: the adding problem at several lengths, for each model of {@link SequenceModels}. */
final class LongRangeDemo {
    /** The lengths run without --lengths; {@link DemoCommand}'s list names them too. */
    static final String DEFAULT_LENGTHS = "20,100,400";
    static final String USAGE = """
            usage: panamax demo long-range [--lengths L1,L2,...] [--steps N] [--batch N] [--lr LR] [--clip C] [--test N]
                                           [--seed N] [--solved MSE] [--out DIR]
              the adding problem (inputs: values uniform in [0,1) and a marker channel with exactly two 1s; target: the sum
              of the two marked values; MSE loss) for an RNN (tanh, hidden 66), an LSTM (32), a GRU (37) and a small
              self-attention model (Attn: one Transformer encoder layer, d_model 24, 4 heads, feed-forward 40, sinusoidal
              positions, read out at the last position), about 4,600 parameters each, trained for the same steps with Adam
              and gradient clipping. Prints the final test MSE per model and length (predicting 1.0 scores 0.167) and
              which runs solved it (test MSE below --solved), and writes the learning curves to DIR/long_range.png.
              defaults: lengths %s, 250 steps, batch 64, lr 0.01, clip 1, 500 test sequences, seed 0,
                        solved 0.05, out runs/demo. The LSTM and GRU run a whole sequence as one fused op; the
                        plain RNN still runs step by step, whose backward grows with length² (at length 400 it
                        takes most of the time).
            """.formatted(DEFAULT_LENGTHS);
    private static final Set<String> OPTIONS = Set.of("lengths", "steps", "batch", "lr", "clip", "test", "seed", "solved", "out");

    /** One model's run at one length: its test MSE and its training curve (smoothed MSE every few steps). */
    record Run(String model, int length, double testMse, List<Double> steps, List<Double> curve) {}

    private LongRangeDemo() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = Args.parse("demo long-range", argv, OPTIONS, Set.of());
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("demo long-range: unexpected argument '" + a.positional().get(0) + "'");
        }
        List<Integer> lengths = lengths(a.string("lengths", DEFAULT_LENGTHS));
        int steps = a.positiveInt("steps", 250);
        int batch = a.positiveInt("batch", 64);
        double lr = a.positiveDouble("lr", 1e-2);
        double clip = a.positiveDouble("clip", 1);
        int testSize = a.positiveInt("test", 500);
        long seed = a.integer("seed", 0);
        double solved = a.positiveDouble("solved", 0.05);
        Path png = Path.of(a.string("out", "runs/demo")).resolve("long_range.png");

        long start = System.nanoTime();
        out.printf(Locale.ROOT, "adding problem: lengths %s, %d steps of batch %d, Adam lr %s, gradient norm clipped at %s, %d test"
                + " sequences, seed %d%n", lengths, steps, batch, lr, clip, testSize, seed);
        List<Run> runs = new ArrayList<>();
        for (int length : lengths) {
            for (SequenceModels.Entry entry : SequenceModels.ALL) {
                long t0 = System.nanoTime();
                Run r = train(entry, length, steps, batch, lr, clip, testSize, seed);
                runs.add(r);
                out.printf(Locale.ROOT, "  %-5s length %4d: test MSE %.4f  (%.1f s)%n", entry.name(), length, r.testMse(),
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        printTable(runs, lengths, solved, out);
        List<CurvePlot.Panel> panels = new ArrayList<>();
        for (int length : lengths) {
            List<CurvePlot.Series> series = new ArrayList<>();
            for (Run r : runs) {
                if (r.length() == length) {
                    series.add(new CurvePlot.Series(r.model(), r.curve(), r.steps()));
                }
            }
            series.add(new CurvePlot.Series("predict 1.0", List.of(AddingProblem.BASELINE_MSE, AddingProblem.BASELINE_MSE),
                    List.of(1.0, (double) steps)));
            panels.add(new CurvePlot.Panel("training MSE, length " + length, series));
        }
        CurvePlot.write(png, "step", panels);
        out.println("learning curves: " + png);
        out.printf(Locale.ROOT, "%.1f s in all%n", (System.nanoTime() - start) / 1e9);
        return Main.OK;
    }

    /** Trains one fresh model (initialised from {@code seed}) on fresh batches, then scores it on a fixed test set. */
    static Run train(SequenceModels.Entry entry, int length, int steps, int batch, double lr, double clip, int testSize, long seed) {
        Generator gen = new Generator(seed);
        SplittableRandom data = new SplittableRandom(seed * 1_000_003L + length);
        List<Double> xs = new ArrayList<>();
        List<Double> curve = new ArrayList<>();
        int every = Math.max(1, steps / 100);
        try (Module model = entry.create(2, gen);
             Optimizer opt = Adam.builder().lr(lr).build(model.parameters())) {
            double sum = 0;
            int count = 0;
            for (int step = 1; step <= steps; step++) {
                try (Scope ignored = Scope.open(); AddingProblem b = AddingProblem.sample(length, batch, data)) {
                    Tensor loss = Loss.mseLoss(model.forward(b.inputs()), b.targets());
                    opt.zeroGrad();
                    loss.backward();
                    GradClipping.clipGradNorm(model.parameters(), clip);
                    opt.step();
                    sum += loss.item();
                    count++;
                }
                if (step % every == 0 || step == steps) {
                    xs.add((double) step);
                    curve.add(sum / count);
                    sum = 0;
                    count = 0;
                }
            }
            model.eval();
            SplittableRandom testRng = new SplittableRandom(~seed * 31 + length);
            try (Scope ignored = Scope.open(); GradMode.Guard g = GradMode.noGrad();
                 AddingProblem test = AddingProblem.sample(length, testSize, testRng)) {
                double mse = Loss.mseLoss(model.forward(test.inputs()), test.targets()).item();
                return new Run(entry.name(), length, mse, xs, curve);
            }
        }
    }

    private static void printTable(List<Run> runs, List<Integer> lengths, double solved, PrintStream out) {
        out.printf(Locale.ROOT, "%nfinal test MSE (predicting 1.0 scores %.3f; solved: below %s)%n", AddingProblem.BASELINE_MSE, solved);
        out.printf(Locale.ROOT, "%-6s %6s %8s", "model", "hidden", "params");
        for (int length : lengths) {
            out.printf(Locale.ROOT, "  %10s", "T=" + length);
        }
        out.println();
        Map<String, List<String>> solvedBy = new LinkedHashMap<>();
        for (SequenceModels.Entry e : SequenceModels.ALL) {
            long params;
            try (Module m = e.create(2, new Generator(0))) {
                params = m.parameterCount();
            }
            out.printf(Locale.ROOT, "%-6s %6d %8d", e.name(), e.hidden(), params);
            List<String> ok = new ArrayList<>();
            for (int length : lengths) {
                Run r = find(runs, e.name(), length);
                out.printf(Locale.ROOT, "  %10.4f", r.testMse());
                if (r.testMse() < solved) {
                    ok.add(Integer.toString(length));
                }
            }
            out.println();
            solvedBy.put(e.name(), ok);
        }
        StringBuilder s = new StringBuilder("solved (test MSE < " + solved + "): ");
        List<String> parts = new ArrayList<>();
        solvedBy.forEach((model, ok) -> parts.add(model + " " + (ok.isEmpty() ? "none" : "T=" + String.join(", ", ok))));
        out.println(s.append(String.join("; ", parts)));
    }

    static Run find(List<Run> runs, String model, int length) {
        return runs.stream().filter(r -> r.model().equals(model) && r.length() == length).findFirst().orElseThrow();
    }

    private static List<Integer> lengths(String spec) {
        List<Integer> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            int n;
            try {
                n = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new Args.UsageException("demo long-range: --lengths must be integers separated by commas, got '" + spec + "'");
            }
            if (n < 2) {
                throw new Args.UsageException("demo long-range: each length must be at least 2, got " + n);
            }
            out.add(n);
        }
        return out;
    }
}
