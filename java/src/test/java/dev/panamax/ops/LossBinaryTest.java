package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.RefLoss;
import dev.panamax.testing.RefPointwise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** binaryCrossEntropy, binaryCrossEntropyWithLogits and multilabelSoftMarginLoss. */
class LossBinaryTest {
    private static final LossReduction[] REDUCTIONS = {LossReduction.NONE, LossReduction.MEAN, LossReduction.SUM};

    @Test
    void binaryCrossEntropyWithWeightsOnAwkwardLayouts() {
        try (Scope ignored = Scope.open()) {
            Tensor w = RefPointwise.values(1, 0.2, 2, 5);
            for (LossReduction r : REDUCTIONS) {
                Tensor p = RefPointwise.values(2, 0.02, 0.98, 3, 5);
                Tensor y = RefPointwise.values(3, 0, 1, 3, 5);
                OpCheck.check("bce " + r, t -> Loss.binaryCrossEntropy(t[0], t[1], null, r),
                        rs -> RefLoss.binaryCrossEntropy(rs[0], rs[1], null, r), p, y);
                OpCheck.check("bce weighted " + r, t -> Loss.binaryCrossEntropy(t[0], t[1], t[2], r),
                        rs -> RefLoss.binaryCrossEntropy(rs[0], rs[1], rs[2], r), p, y, w);
                OpCheck.check("bce transposed " + r, t -> Loss.binaryCrossEntropy(t[0].t(), t[1], null, r),
                        rs -> RefLoss.binaryCrossEntropy(RefPointwise.t(rs[0]), rs[1], null, r), RefPointwise.values(4, 0.02, 0.98, 5, 3), y);
                OpCheck.check("bce 0-d " + r, t -> Loss.binaryCrossEntropy(t[0], t[1], null, r),
                        rs -> RefLoss.binaryCrossEntropy(rs[0], rs[1], null, r), Tensor.of(new double[] {0.3}).reshape(),
                        Tensor.of(new double[] {1}).reshape());
            }
        }
    }

    /** PyTorch: log clamped at -100, gradient (x - y)/max(x(1 - x), 1e-12); values from torch 2.13. */
    @Test
    void binaryCrossEntropyAtCertainProbabilitiesStaysFinite() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor p = Tensor.of(new double[] {0, 1, 0.3, 0, 1}, 5).to(dtype).requiresGrad(true);
                Tensor y = Tensor.of(new double[] {1, 0, 0.6, 0, 1}, 5).to(dtype);
                Tensor l = Loss.binaryCrossEntropy(p, y, null, LossReduction.NONE);
                assertArrayEquals(new double[] {100, 100, 0.8650537133, 0, 0}, l.toDoubleArray(), 1e-6);
                l.sum().backward();
                double[] g = p.grad().toDoubleArray();
                assertEquals(-1e12, g[0], 1e5);
                assertEquals(1e12, g[1], 1e5);
                assertEquals(-1.4285714626, g[2], 1e-6);
                assertEquals(0, g[3]);
                assertEquals(0, g[4]);
            }
        }
    }

    @Test
    void withLogitsWeightsAndPositiveWeights() {
        try (Scope ignored = Scope.open()) {
            Tensor x = RefPointwise.values(10, -4, 4, 4, 3);
            Tensor y = RefPointwise.values(11, 0, 1, 4, 3);
            Tensor w = RefPointwise.values(12, 0.2, 2, 4, 1);
            Tensor pw = RefPointwise.values(13, 0.5, 3, 3);
            for (LossReduction r : REDUCTIONS) {
                OpCheck.check("bce logits " + r, t -> Loss.binaryCrossEntropyWithLogits(t[0], t[1], null, r, null),
                        rs -> RefLoss.binaryCrossEntropyWithLogits(rs[0], rs[1], null, null, r), x, y);
                OpCheck.check("bce logits weight and posWeight " + r, t -> Loss.binaryCrossEntropyWithLogits(t[0], t[1], t[2], r, t[3]),
                        rs -> RefLoss.binaryCrossEntropyWithLogits(rs[0], rs[1], rs[2], rs[3], r), x, y, w, pw);
                OpCheck.check("bce logits strided " + r, t -> Loss.binaryCrossEntropyWithLogits(OpCheck.strided(t[0]), t[1], null, r, t[2]),
                        rs -> RefLoss.binaryCrossEntropyWithLogits(rs[0], rs[1], null, rs[2], r), x, y, pw);
            }
        }
    }

    /** At x = 0 the gradient is sigmoid(0) - y = 0.5 - y (a max/abs form differentiated op by op would give -y). */
    @Test
    void withLogitsGradientAtZero() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);
            Tensor y = Tensor.of(new double[] {0, 1, 0.25}, 3);
            Loss.binaryCrossEntropyWithLogits(x, y, null, LossReduction.SUM, null).backward();
            assertArrayEquals(new double[] {0.5, -0.5, 0.25}, x.grad().toDoubleArray(), 1e-15);
        }
    }

    @Test
    void withLogitsIsStableForHugeLogits() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(new double[] {1e4, -1e4, 0, 1e4, -1e4, -30}, 6).to(dtype).requiresGrad(true);
                Tensor y = Tensor.of(new double[] {0, 0, 1, 1, 1, 0}, 6).to(dtype).requiresGrad(true);
                Tensor pw = Tensor.full(2, dtype, 6);
                Tensor l = Loss.binaryCrossEntropyWithLogits(x, y, null, LossReduction.NONE, pw);
                // PyTorch: [1e4, 0, 2·log 2, 0, 2e4, log1p(e^-30)]
                double[] v = l.toDoubleArray();
                assertArrayEquals(new double[] {1e4, 0, 2 * Math.log(2), 0, 2e4}, java.util.Arrays.copyOf(v, 5), 1e-6);
                assertEquals(Math.log1p(Math.exp(-30)), v[5], dtype == DType.FLOAT32 ? 1e-19 : 1e-27);
                l.sum().backward();
                assertArrayEquals(new double[] {1, 0, -1, 0, -2, 0}, x.grad().toDoubleArray(), 1e-6);
                for (double g : y.grad().toDoubleArray()) {
                    assertTrue(Double.isFinite(g), "target gradient " + g);
                }
            }
        }
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1e4, -1e4, 1e4 - 3, -1e4 + 2, 0, 7}, 2, 3);
            Tensor y = RefPointwise.values(20, 0, 1, 2, 3);
            for (LossReduction r : REDUCTIONS) {
                OpCheck.check("bce logits huge " + r, t -> Loss.binaryCrossEntropyWithLogits(t[0], t[1], null, r, null),
                        rs -> RefLoss.binaryCrossEntropyWithLogits(rs[0], rs[1], null, null, r), x, y);
            }
        }
    }

    @Test
    void multilabelSoftMarginAveragesOverTheLastDim() {
        try (Scope ignored = Scope.open()) {
            Tensor w = RefPointwise.values(30, 0.2, 2, 4);
            record Case(String name, long[] shape, boolean weighted) {}
            for (Case c : new Case[] {
                new Case("[3, 4]", new long[] {3, 4}, false),
                new Case("[3, 4] weighted", new long[] {3, 4}, true),
                new Case("[4] unbatched weighted", new long[] {4}, true),
                new Case("[2, 3, 4]", new long[] {2, 3, 4}, true)}) {
                Tensor x = RefPointwise.values(31, -4, 4, c.shape());
                Tensor y = RefPointwise.values(32, 0, 1, c.shape());
                for (LossReduction r : REDUCTIONS) {
                    if (c.weighted()) {
                        OpCheck.check("multilabelSoftMargin " + c.name() + " " + r, t -> Loss.multilabelSoftMarginLoss(t[0], t[1], t[2], r),
                                rs -> RefLoss.multilabelSoftMargin(rs[0], rs[1], rs[2], r), x, y, w);
                    } else {
                        OpCheck.check("multilabelSoftMargin " + c.name() + " " + r, t -> Loss.multilabelSoftMarginLoss(t[0], t[1], null, r),
                                rs -> RefLoss.multilabelSoftMargin(rs[0], rs[1], null, r), x, y);
                    }
                }
            }
            // torch 2.13: multilabel_soft_margin_loss([[0.3, -2, 1e4]], [[1, 0, 1]], reduction='none') = [0.2270944118]
            Tensor l = Loss.multilabelSoftMarginLoss(Tensor.of(new float[] {0.3f, -2, 1e4f}, 1, 3), Tensor.of(new float[] {1, 0, 1}, 1, 3),
                    null, LossReduction.NONE);
            assertArrayEquals(new float[] {0.2270944118f}, l.toFloatArray(), 1e-7f);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.full(0.5, 2, 3);
            assertBad(() -> Loss.binaryCrossEntropy(x, Tensor.zeros(3)), "binaryCrossEntropy", "target shape [3]", "input shape [2, 3]");
            assertBad(() -> Loss.binaryCrossEntropyWithLogits(x, Tensor.zeros(2, 1)), "binaryCrossEntropyWithLogits", "[2, 1]", "[2, 3]");
            assertBad(() -> Loss.multilabelSoftMarginLoss(x, Tensor.zeros(2, 4)), "multilabelSoftMarginLoss", "[2, 4]", "[2, 3]");
            assertBad(() -> Loss.binaryCrossEntropy(Tensor.of(new float[] {0.5f, 1.5f}, 2), Tensor.zeros(2)), "binaryCrossEntropy",
                    "[0, 1]", "1.5");
            assertBad(() -> Loss.binaryCrossEntropy(Tensor.of(new float[] {Float.NaN, 0.5f}, 2), Tensor.zeros(2)), "binaryCrossEntropy",
                    "NaN");
            assertBad(() -> Loss.binaryCrossEntropy(x, x, Tensor.ones(2), LossReduction.MEAN), "binaryCrossEntropy", "weight", "[2]");
            assertBad(() -> Loss.binaryCrossEntropy(x, x, Tensor.ones(3, 1, 1), LossReduction.MEAN), "binaryCrossEntropy", "weight",
                    "[3, 1, 1]", "[2, 3]");
            assertBad(() -> Loss.binaryCrossEntropyWithLogits(x, x, null, LossReduction.MEAN, Tensor.ones(2)),
                    "binaryCrossEntropyWithLogits", "posWeight", "[2]");
            assertBad(() -> Loss.binaryCrossEntropyWithLogits(x, Tensor.zeros(DType.INT64, 2, 3)), "binaryCrossEntropyWithLogits",
                    "target", "int64");
            assertBad(() -> Loss.multilabelSoftMarginLoss(Tensor.scalar(1), Tensor.scalar(1)), "multilabelSoftMarginLoss", "0-d");
            assertBad(() -> Loss.binaryCrossEntropy(x, x, null, LossReduction.BATCHMEAN), "binaryCrossEntropy", "batchmean");
        }
    }

    private static void assertBad(Executable call, String... fragments) {
        assertMessage(assertThrows(IllegalArgumentException.class, call), fragments);
    }
}
