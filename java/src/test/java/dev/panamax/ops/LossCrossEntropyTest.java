package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefLoss;
import dev.panamax.testing.RefPointwise;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * crossEntropy and nllLoss: class indices ([N], [N, d...], unbatched) with weights, ignoreIndex
 * and label smoothing, class probabilities, huge logits, thread-count independence, bad input.
 */
class LossCrossEntropyTest {
    private static final LossReduction[] REDUCTIONS = {LossReduction.NONE, LossReduction.MEAN, LossReduction.SUM};
    private static final long IGNORE = Loss.DEFAULT_IGNORE_INDEX;

    /** Class indices in [0, classes) with every {@code ignoreEvery}-th (from the second) set to ignoreIndex. */
    private static Tensor targets(long seed, int classes, int ignoreEvery, long ignoreIndex, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = ignoreEvery > 0 && i % ignoreEvery == 1 ? ignoreIndex : r.nextInt(classes);
        }
        return Tensor.of(t, shape);
    }

    private static Tensor logits(long seed, long... shape) {
        return RefPointwise.values(seed, -3, 3, shape);
    }

    /** crossEntropy (or nllLoss) of {@code view(x)} against every reduction, forward, backward and gradcheck. */
    private static void check(String name, boolean nll, Tensor x, Function<Tensor, Tensor> view, Function<Ref, Ref> refView,
                              Tensor target, Tensor weight, long ignoreIndex, double smoothing) {
        check(name, nll, x, view, refView, target, weight, ignoreIndex, smoothing, 1);
    }

    private static void check(String name, boolean nll, Tensor x, Function<Tensor, Tensor> view, Function<Ref, Ref> refView,
                              Tensor target, Tensor weight, long ignoreIndex, double smoothing, double tolScale) {
        Ref w = weight == null ? null : Ref.of(weight);
        for (LossReduction r : REDUCTIONS) {
            try (Scope ignored = Scope.open()) {
                OpCheck.check(name + " " + r, t -> {
                    try (Tensor wt = weight == null ? null : weight.to(t[0].dtype())) {
                        return nll ? Loss.nllLoss(view.apply(t[0]), t[1], wt, ignoreIndex, r)
                                : Loss.crossEntropy(view.apply(t[0]), t[1], wt, ignoreIndex, r, smoothing);
                    }
                }, rs -> nll ? RefLoss.nll(refView.apply(rs[0]), rs[1], w, ignoreIndex, r)
                        : RefLoss.crossEntropy(refView.apply(rs[0]), rs[1], w, ignoreIndex, r, smoothing), tolScale, x, target);
            }
        }
    }

    private static void check(String name, Tensor x, Tensor target, Tensor weight, double smoothing) {
        check(name, false, x, t -> t, r -> r, target, weight, IGNORE, smoothing);
    }

    @Test
    void classIndicesWithWeightsIgnoreIndexAndSmoothing() {
        try (Scope ignored = Scope.open()) {
            Tensor w = RefPointwise.values(1, 0.2, 2, 7);
            Tensor x = logits(2, 5, 7);
            Tensor t = targets(3, 7, 3, IGNORE, 5);
            check("ce [5, 7]", x, t, null, 0);
            check("ce [5, 7] weighted", x, t, w, 0);
            check("ce [5, 7] smoothed", x, t, null, 0.3);
            check("ce [5, 7] weighted and smoothed", x, t, w, 0.3);
            check("ce [5, 7] fully smoothed", x, t, w, 1.0);
        }
    }

    @Test
    void classesOnDimOneWithTrailingDims() {
        try (Scope ignored = Scope.open()) {
            Tensor w = RefPointwise.values(4, 0.2, 2, 3);
            check("ce [2, 3, 4]", logits(5, 2, 3, 4), targets(6, 3, 3, IGNORE, 2, 4), w, 0.2);
            check("ce [2, 3, 2, 3]", logits(7, 2, 3, 2, 3), targets(8, 3, 4, IGNORE, 2, 2, 3), null, 0);
            check("ce [2, 3, 2, 3] weighted", logits(9, 2, 3, 2, 3), targets(10, 3, 0, IGNORE, 2, 2, 3), w, 0.1);
        }
    }

    @Test
    void unbatchedSingleClassAndIntTargets() {
        try (Scope ignored = Scope.open()) {
            check("ce unbatched [4]", logits(11, 4), Tensor.of(new long[] {2}), RefPointwise.values(12, 0.5, 2, 4), 0.25);
            check("ce one class", logits(14, 3, 1), Tensor.of(new long[] {0, 0, 0}, 3), null, 0.5);
            check("ce int32 targets", logits(15, 4, 3), Tensor.of(new int[] {2, 0, 1, 2}, 4), null, 0);
            // reduction none: one loss per target, 0-d when unbatched
            Tensor x = logits(16, 2, 5);
            assertArrayEquals(new long[] {2}, Loss.crossEntropy(x, Tensor.of(new long[] {1, 4}, 2), null, IGNORE, LossReduction.NONE, 0)
                    .shape().toArray());
            assertEquals(0, Loss.crossEntropy(x.select(0, 0), Tensor.of(new long[] {1}).reshape(), null, IGNORE, LossReduction.NONE, 0)
                    .rank());
        }
    }

    @Test
    void nonContiguousLogitsAndTargets() {
        try (Scope ignored = Scope.open()) {
            Tensor t = targets(20, 6, 3, IGNORE, 5);
            // classes strided by the batch: logits stored [6, 5] and transposed
            check("ce transposed", false, logits(21, 6, 5), Tensor::t, RefPointwise::t, t, null, IGNORE, 0.2);
            check("ce strided", false, logits(22, 5, 6), OpCheck::strided, r -> r, t, null, IGNORE, 0);
            // every other target of a longer one
            Tensor x = logits(23, 5, 6);
            Tensor longer = targets(24, 6, 4, IGNORE, 10);
            for (LossReduction r : REDUCTIONS) {
                OpCheck.check("ce sliced target " + r, in -> Loss.crossEntropy(in[0], in[1].slice(0, 0, 10, 2), null, IGNORE, r, 0),
                        rs -> RefLoss.crossEntropy(rs[0], RefPointwise.slice(rs[1], 0, 0, 10, 2), null, IGNORE, r, 0), x, longer);
            }
        }
    }

    @Test
    void nllLossOfAnyScores() {
        try (Scope ignored = Scope.open()) {
            Tensor w = RefPointwise.values(30, 0.2, 2, 4);
            check("nll [6, 4]", true, logits(31, 6, 4), t -> t, r -> r, targets(32, 4, 3, IGNORE, 6), w, IGNORE, 0);
            check("nll [2, 4, 3]", true, logits(33, 2, 4, 3), t -> t, r -> r, targets(34, 4, 4, IGNORE, 2, 3), null, IGNORE, 0);
            check("nll unbatched", true, logits(35, 4), t -> t, r -> r, Tensor.of(new long[] {3}).reshape(), w, IGNORE, 0);
            // an ignoreIndex inside [0, C): that class is never counted
            check("nll ignoreIndex 2", true, logits(36, 6, 4), t -> t, r -> r, targets(37, 4, 0, 0, 6), w, 2, 0);
            check("nll transposed", true, logits(38, 4, 6), Tensor::t, RefPointwise::t, targets(39, 4, 0, 0, 6), null, IGNORE, 0);
        }
    }

    @Test
    void classProbabilities() {
        try (Scope ignored = Scope.open()) {
            Tensor w = RefPointwise.values(40, 0.2, 2, 5);
            record Case(String name, long[] shape, Tensor weight, double smoothing) {}
            for (Case c : new Case[] {
                new Case("[4, 5]", new long[] {4, 5}, null, 0),
                new Case("[4, 5] weighted, smoothed", new long[] {4, 5}, w, 0.3),
                new Case("[2, 5, 3] weighted", new long[] {2, 5, 3}, w, 0),
                new Case("unbatched [5] smoothed", new long[] {5}, null, 0.1)}) {
                Tensor x = logits(41, c.shape());
                Tensor p = RefPointwise.values(42, 0, 1, c.shape());
                Ref rw = c.weight() == null ? null : Ref.of(c.weight());
                for (LossReduction r : REDUCTIONS) {
                    OpCheck.check("ce probabilities " + c.name() + " " + r, t -> {
                        try (Tensor wt = c.weight() == null ? null : c.weight().to(t[0].dtype())) {
                            return Loss.crossEntropy(t[0], t[1], wt, IGNORE, r, c.smoothing());
                        }
                    }, rs -> RefLoss.crossEntropyProbabilities(rs[0], rs[1], rw, r, c.smoothing()), x, p);
                }
            }
        }
    }

    @Test
    void everyTargetIgnored() {
        try (Scope ignored = Scope.open()) {
            Tensor x = logits(50, 3, 4).to(DType.FLOAT32).requiresGrad(true);
            Tensor t = Tensor.of(new long[] {IGNORE, IGNORE, IGNORE}, 3);
            // PyTorch: the mean is 0/0
            assertEquals(Double.NaN, Loss.crossEntropy(x, t).item());
            assertArrayEquals(new float[3], Loss.crossEntropy(x, t, null, IGNORE, LossReduction.NONE, 0).toFloatArray());
            Tensor sum = Loss.crossEntropy(x, t, null, IGNORE, LossReduction.SUM, 0.2);
            assertEquals(0.0, sum.item());
            sum.backward();
            assertArrayEquals(new float[12], x.grad().toFloatArray());
            // and the NaN mean has a zero gradient, as in PyTorch (unbatched too)
            for (double smoothing : new double[] {0, 0.2}) {
                x.zeroGrad();
                Loss.crossEntropy(x, t, null, IGNORE, LossReduction.MEAN, smoothing).backward();
                assertArrayEquals(new float[12], x.grad().toFloatArray());
            }
            Tensor single = logits(13, 4).requiresGrad(true);
            Tensor mean = Loss.crossEntropy(single, Tensor.of(new long[] {IGNORE}).reshape());
            assertEquals(Double.NaN, mean.item());
            mean.backward();
            assertArrayEquals(new double[4], single.grad().toDoubleArray());
            assertEquals(Double.NaN, Loss.crossEntropy(Tensor.zeros(0, 4), Tensor.zeros(DType.INT64, 0)).item());
        }
    }

    /** ±1e4 logits: log-softmax stays finite, so do the losses and gradients, with and without smoothing. */
    @Test
    void hugeLogitsGiveFiniteLossesAndGradients() {
        double[] v = new double[6 * 9];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (i % 4) {
                case 0 -> 1e4;
                case 1 -> -1e4;
                case 2 -> 1e4 - 2.5;
                default -> -1e4 + 3;
            };
        }
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.of(v, 6, 9);
            Tensor t = Tensor.of(new long[] {0, 1, 2, 3, IGNORE, 8}, 6);
            Tensor w = RefPointwise.values(60, 0.5, 2, 9);
            Tensor p = RefPointwise.values(61, 0, 1, 6, 9);
            // looser tolerances for the reference's finite differences: their step is 1e-6·|x| = 0.01 for
            // the logits, and the probabilities' differences cancel against log-probabilities of -2e4
            check("ce huge logits", false, x, v1 -> v1, r -> r, t, w, IGNORE, 0.2, 10);
            for (LossReduction r : REDUCTIONS) {
                OpCheck.check("ce huge logits probabilities " + r, in -> Loss.crossEntropy(in[0], in[1], null, IGNORE, r, 0),
                        rs -> RefLoss.crossEntropyProbabilities(rs[0], rs[1], null, r, 0), 100, x, p);
            }
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor xs = x.to(dtype).requiresGrad(true);
                Tensor loss = Loss.crossEntropy(xs, t, null, IGNORE, LossReduction.SUM, 0.1);
                assertTrue(Double.isFinite(loss.item()), "loss " + loss.item());
                loss.backward();
                for (double g : xs.grad().toDoubleArray()) {
                    assertTrue(Double.isFinite(g), "gradient " + g);
                }
            }
        }
    }

    /** Large enough that the log-softmax and NLL kernels split over threads. */
    @Test
    void resultsDoNotDependOnTheThreadCount() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.randn(new dev.panamax.tensor.Generator(70), 2, 5, 20_000);
            Tensor t = targets(71, 5, 7, IGNORE, 2, 20_000);
            Tensor w = RefPointwise.values(72, 0.5, 2, 5).to(DType.FLOAT32);
            float[][] one = CpuThreads.call(1, () -> run(x, t, w));
            float[][] two = CpuThreads.call(2, () -> run(x, t, w));
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i], "output " + i);
            }
        }
    }

    private static float[][] run(Tensor x, Tensor t, Tensor w) {
        try (Scope ignored = Scope.open()) {
            Tensor xs = x.alias().requiresGrad(true);
            Tensor mean = Loss.crossEntropy(xs, t, w, IGNORE, LossReduction.MEAN, 0.1);
            mean.backward();
            Tensor none = Loss.nllLoss(x, t, w, IGNORE, LossReduction.NONE);
            return new float[][] {mean.toFloatArray(), xs.grad().toFloatArray(), none.toFloatArray()};
        }
    }

    @Test
    void targetsOutOfRangeAreNamedWithTheClassCount() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(3, 4);
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> Loss.crossEntropy(x, Tensor.of(new long[] {0, 4, 1}, 3))),
                    "crossEntropy", "target 4", "4 classes");
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> Loss.nllLoss(x, Tensor.of(new long[] {-1, 0, IGNORE}, 3))),
                    "nllLoss", "target -1", "4 classes");
            // ignoreIndex is excepted, wherever it lies
            assertEquals(0.0, Loss.nllLoss(x, Tensor.of(new long[] {IGNORE, 3, 0}, 3), null, IGNORE, LossReduction.SUM).item());
            assertEquals(0.0, Loss.nllLoss(x, Tensor.of(new long[] {9, 3, 9}, 3), null, 9, LossReduction.SUM).item());
            assertMessage(assertThrows(IndexOutOfBoundsException.class,
                    () -> Loss.crossEntropy(x, Tensor.of(new long[] {IGNORE, 5, 0}, 3), null, 5, LossReduction.MEAN, 0)), "target -100");
        }
    }

    @Test
    void badTargetsAndArgumentsAreNamed() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            Tensor good = Tensor.of(new long[] {0, 2}, 2);
            assertBad(() -> Loss.crossEntropy(x, Tensor.zeros(2)), "crossEntropy", "integer tensor of shape [2]", "float32[2]");
            assertBad(() -> Loss.nllLoss(x, Tensor.zeros(2)), "nllLoss", "integer tensor of shape [2]", "float32[2]");
            assertBad(() -> Loss.crossEntropy(x, Tensor.zeros(DType.INT64, 2, 3)), "crossEntropy", "target shape [2, 3]",
                    "class indices have shape [2]", "float tensor of the input's shape");
            assertBad(() -> Loss.crossEntropy(x, Tensor.zeros(2, 4)), "crossEntropy", "[2, 4]", "[2, 3]");
            assertBad(() -> Loss.crossEntropy(x, Tensor.zeros(DType.INT64, 3)), "crossEntropy", "target shape [3]", "input shape [2, 3]");
            assertBad(() -> Loss.nllLoss(Tensor.zeros(2, 3, 4), Tensor.zeros(DType.INT64, 2, 5)), "nllLoss", "[2, 5]", "[2, 4]");
            assertBad(() -> Loss.crossEntropy(x, Tensor.of(new boolean[] {true, false}, 2)), "crossEntropy", "bool[2]");
            assertBad(() -> Loss.crossEntropy(x, good, Tensor.ones(2), IGNORE, LossReduction.MEAN, 0), "crossEntropy", "weight",
                    "3", "[2]");
            assertBad(() -> Loss.crossEntropy(x, good, null, IGNORE, LossReduction.MEAN, -0.1), "crossEntropy", "labelSmoothing", "-0.1");
            assertBad(() -> Loss.crossEntropy(x, good, null, IGNORE, LossReduction.MEAN, 1.5), "crossEntropy", "labelSmoothing", "1.5");
            assertBad(() -> Loss.crossEntropy(x, Tensor.zeros(2, 3), null, 1, LossReduction.MEAN, 0), "crossEntropy", "ignoreIndex 1");
            assertBad(() -> Loss.nllLoss(x, good, Tensor.ones(3).requiresGrad(true), IGNORE, LossReduction.MEAN), "nllLoss", "weight",
                    "requires grad");
            assertBad(() -> Loss.crossEntropy(Tensor.scalar(1), Tensor.of(new long[] {0}).reshape()), "crossEntropy", "0-d");
            assertBad(() -> Loss.crossEntropy(Tensor.zeros(DType.INT64, 2, 3), good), "crossEntropy", "input", "int64[2, 3]");
            assertBad(() -> Loss.crossEntropy(x, good, null, IGNORE, LossReduction.BATCHMEAN, 0), "crossEntropy", "batchmean");
            assertBad(() -> Loss.crossEntropy(Tensor.zeros(2, 0), Tensor.zeros(DType.INT64, 2)), "crossEntropy", "no classes");
            // class-probability targets may carry a gradient through the weights; class indices may not
            Tensor trainable = Tensor.ones(3).requiresGrad(true);
            Loss.crossEntropy(x, Tensor.full(0.5, 2, 3), trainable, IGNORE, LossReduction.SUM, 0).backward();
            assertArrayEquals(new float[] {0.5f * 2 * (float) Math.log(3), 0.5f * 2 * (float) Math.log(3), 0.5f * 2 * (float) Math.log(3)},
                    trainable.grad().toFloatArray(), 1e-6f);
        }
    }

    private static void assertBad(Executable call, String... fragments) {
        assertMessage(assertThrows(IllegalArgumentException.class, call), fragments);
    }
}
