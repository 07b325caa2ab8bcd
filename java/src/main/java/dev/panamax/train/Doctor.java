package dev.panamax.train;

import dev.panamax.autograd.GradMode;
import dev.panamax.data.Batch;
import dev.panamax.data.DataLoader;
import dev.panamax.nn.Module;
import dev.panamax.nn.Parameter;
import dev.panamax.ops.OpTrace;
import dev.panamax.optim.Optimizer;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The training doctor: the classic checks before tuning a network, run on the real model and
 * data. Can it overfit one batch? Are any layer's gradients vanishing or exploding? How many
 * ReLU units are dead? What do the activations look like? Which learning rate does a range test
 * (Smith, "Cyclical learning rates", 2017) suggest? The model's weights are restored after
 * every check.
 */
public final class Doctor {
    private static final double VANISHING = 1e-7;
    private static final double EXPLODING = 1e3;

    private Doctor() {}

    /** One parameter's gradient after a backward on one batch. */
    public record LayerGradient(String name, double gradNorm, double weightNorm) {
        public String verdict() {
            return gradNorm < VANISHING ? "vanishing" : gradNorm > EXPLODING ? "exploding" : "ok";
        }
    }

    /** Statistics of one activation call of a forward pass (in call order). */
    public record ActivationStats(String op, int index, long[] shape, double mean, double std, double deadFraction) {}

    /** The range test's curve and the learning rate it suggests (the steepest descent of the smoothed loss). */
    public record LrRange(List<Double> lrs, List<Double> losses, double suggested) {}

    /** Everything the doctor found. */
    public record Report(double overfitFirstLoss, double overfitLastLoss, boolean canOverfit, List<LayerGradient> gradients,
                         List<ActivationStats> activations, LrRange lrRange) {}

    /**
     * Runs every check.
     *
     * @param optimizerFactory a fresh optimizer over the given parameters and learning rate
     * @param plot             where to write the range test's PNG (null: nowhere)
     */
    public static Report diagnose(Module model, BiFunction<Tensor, Tensor, Tensor> loss,
                                  BiFunction<List<Tensor>, Double, Optimizer> optimizerFactory, double lr,
                                  DataLoader loader, Path plot) throws IOException {
        Map<String, Tensor> initial = Trainer.snapshot(model);
        try {
            Report report;
            try (DataLoader.Epoch batches = loader.iterator(); Batch first = batches.next()) {
                double[] overfit = overfitOneBatch(model, loss, optimizerFactory, lr, first);
                model.loadStateDict(initial, true);
                List<LayerGradient> grads = gradients(model, loss, first);
                List<ActivationStats> acts = activations(model, first);
                LrRange range = lrRangeTest(model, loss, optimizerFactory, batches, first);
                report = new Report(overfit[0], overfit[1], overfit[1] < 0.1 * overfit[0] || overfit[1] < 0.05, grads, acts, range);
            }
            if (plot != null) {
                CurvePlot.write(plot, "learning rate", List.of(new CurvePlot.Panel("LR range test: smoothed loss",
                        List.of(new CurvePlot.Series("loss", report.lrRange().losses(), report.lrRange().lrs())), true)));
            }
            return report;
        } finally {
            model.loadStateDict(initial, true);
            initial.values().forEach(Tensor::close);
        }
    }

    /** Loss before and after 100 steps on one batch. */
    static double[] overfitOneBatch(Module model, BiFunction<Tensor, Tensor, Tensor> loss,
                                    BiFunction<List<Tensor>, Double, Optimizer> optimizerFactory, double lr, Batch batch) {
        model.train();
        double first = Double.NaN;
        double last = Double.NaN;
        try (Optimizer opt = optimizerFactory.apply(model.parameters(), lr)) {
            for (int i = 0; i < 100; i++) {
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    Tensor l = loss.apply(model.forward(batch.inputs()), batch.labels());
                    l.backward();
                    opt.step();
                    last = l.item();
                    if (i == 0) {
                        first = last;
                    }
                }
            }
        }
        model.zeroGrad();
        return new double[] {first, last};
    }

    static List<LayerGradient> gradients(Module model, BiFunction<Tensor, Tensor, Tensor> loss, Batch batch) {
        model.zeroGrad();
        try (Scope s = Scope.open()) {
            loss.apply(model.forward(batch.inputs()), batch.labels()).backward();
            List<LayerGradient> out = new ArrayList<>();
            for (Parameter p : model.namedParameters()) {
                Tensor g = p.tensor().grad();
                out.add(new LayerGradient(p.name(), g == null ? 0 : norm(g), norm(p.tensor())));
            }
            return out;
        } finally {
            model.zeroGrad();
        }
    }

    /** Mean, std and the fraction of units that are zero for every example, for each activation of one forward pass. */
    static List<ActivationStats> activations(Module model, Batch batch) {
        List<ActivationStats> out = new ArrayList<>();
        try (Scope s = Scope.open(); GradMode.Guard ng = GradMode.noGrad();
             OpTrace.Guard trace = OpTrace.listen((op, t) -> {
                 if (isActivation(op) && t.rank() >= 2) {
                     out.add(stats(op, out.size(), t));
                 }
             })) {
            model.forward(batch.inputs());
        }
        return out;
    }

    private static boolean isActivation(String op) {
        return switch (op) {
            case "relu", "leakyRelu", "elu", "selu", "gelu", "silu", "sigmoid", "tanh", "softplus", "hardtanh" -> true;
            default -> false;
        };
    }

    private static ActivationStats stats(String op, int index, Tensor t) {
        try (Scope s = Scope.open()) {
            double mean = t.mean().item();
            double std = t.numel() > 1 ? t.std().item() : 0;
            // a unit is dead when it is zero (or negative, for leaky variants: never positive) for every example
            Tensor alive = t.gt(0).to(DType.FLOAT32).sum(new int[] {0}, false).gt(0);
            double dead = 1 - alive.to(DType.FLOAT32).mean().item();
            return new ActivationStats(op, index, t.shape().toArray(), mean, std, dead);
        }
    }

    /** Learning rates from 1e-7 to 10, one batch each, until the smoothed loss is four times its best. */
    static LrRange lrRangeTest(Module model, BiFunction<Tensor, Tensor, Tensor> loss,
                               BiFunction<List<Tensor>, Double, Optimizer> optimizerFactory, DataLoader.Epoch batches, Batch first) {
        int steps = 100;
        double start = 1e-7;
        double end = 10;
        double factor = Math.pow(end / start, 1.0 / (steps - 1));
        List<Double> lrs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        double smooth = 0;
        double best = Double.POSITIVE_INFINITY;
        model.train();
        try (Optimizer opt = optimizerFactory.apply(model.parameters(), start)) {
            double lr = start;
            for (int i = 0; i < steps; i++, lr *= factor) {
                double lrNow = lr;
                opt.paramGroups().forEach(g -> g.lr(lrNow));
                double value;
                Batch b = i == 0 || !batches.hasNext() ? null : batches.next();
                try (Scope s = Scope.open()) {
                    Batch use = b == null ? first : b;
                    opt.zeroGrad();
                    Tensor l = loss.apply(model.forward(use.inputs()), use.labels());
                    l.backward();
                    opt.step();
                    value = l.item();
                } finally {
                    if (b != null) {
                        b.close();
                    }
                }
                smooth = 0.98 * smooth + 0.02 * value;
                double corrected = smooth / (1 - Math.pow(0.98, i + 1));
                if (!Double.isFinite(corrected) || corrected > 4 * best) {
                    break;
                }
                best = Math.min(best, corrected);
                lrs.add(lr);
                losses.add(corrected);
            }
        }
        model.zeroGrad();
        return new LrRange(lrs, losses, steepest(lrs, losses));
    }

    /** The learning rate where the smoothed loss falls fastest per decade. */
    static double steepest(List<Double> lrs, List<Double> losses) {
        double best = Double.NaN;
        double slope = 0;
        for (int i = 1; i < lrs.size(); i++) {
            double s = (losses.get(i) - losses.get(i - 1)) / (Math.log10(lrs.get(i)) - Math.log10(lrs.get(i - 1)));
            if (s < slope) {
                slope = s;
                best = lrs.get(i);
            }
        }
        return best;
    }

    /** Prints the report as tables. */
    public static void print(Report r, PrintStream out) {
        out.printf(Locale.ROOT, "overfit one batch: loss %.4f -> %.4f after 100 steps: %s%n", r.overfitFirstLoss(), r.overfitLastLoss(),
                r.canOverfit() ? "yes (the model can learn)" : "NO: check the model, the loss and the learning rate");
        out.println("gradient norms after one backward:");
        for (LayerGradient g : r.gradients()) {
            out.printf(Locale.ROOT, "  %-24s |grad| %10.3e  |w| %10.3e  %s%n", g.name(), g.gradNorm(), g.weightNorm(), g.verdict());
        }
        out.println("activations of one forward pass (dead = never positive for any example of the batch):");
        for (ActivationStats a : r.activations()) {
            out.printf(Locale.ROOT, "  #%d %-8s %-18s mean %8.4f  std %8.4f  dead %5.1f%%%n", a.index(), a.op(),
                    java.util.Arrays.toString(a.shape()), a.mean(), a.std(), 100 * a.deadFraction());
        }
        out.printf(Locale.ROOT, "learning-rate range test: %d steps, steepest descent at lr %.2e (a good maximum for one-cycle)%n",
                r.lrRange().lrs().size(), r.lrRange().suggested());
    }

    private static double norm(Tensor t) {
        try (Tensor sq = t.mul(t); Tensor s = sq.sum()) {
            return Math.sqrt(s.item());
        }
    }
}
