package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefLoss;
import dev.panamax.testing.RefPointwise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** klDiv, marginRankingLoss and hingeEmbeddingLoss. */
class LossDivergenceAndMarginTest {
    private static final LossReduction[] REDUCTIONS = {LossReduction.NONE, LossReduction.MEAN, LossReduction.SUM};

    @Test
    void klDivEveryReductionAndTargetKind() {
        try (Scope ignored = Scope.open()) {
            Tensor x = RefPointwise.values(1, -4, 0, 3, 5);
            Tensor probabilities = RefPointwise.values(2, 0.01, 1, 3, 5);
            Tensor logProbabilities = RefPointwise.values(3, -4, 0, 3, 5);
            for (LossReduction r : LossReduction.values()) {
                for (boolean logTarget : new boolean[] {false, true}) {
                    Tensor t = logTarget ? logProbabilities : probabilities;
                    OpCheck.check("klDiv " + r + " logTarget " + logTarget, in -> Loss.klDiv(in[0], in[1], r, logTarget),
                            rs -> RefLoss.klDiv(rs[0], rs[1], r, logTarget), x, t);
                    OpCheck.check("klDiv transposed " + r + " logTarget " + logTarget, in -> Loss.klDiv(in[0].t(), in[1], r, logTarget),
                            rs -> RefLoss.klDiv(RefPointwise.t(rs[0]), rs[1], r, logTarget), RefPointwise.values(4, -4, 0, 5, 3), t);
                }
                // the target broadcasts (PyTorch's kl_div is a composite of broadcasting ops); batchmean divides by input.size(0)
                OpCheck.check("klDiv broadcast " + r, in -> Loss.klDiv(in[0], in[1], r, false), rs -> RefLoss.klDiv(rs[0], rs[1], r, false),
                        RefPointwise.values(5, -4, 0, 3, 1), RefPointwise.values(6, 0.01, 1, 4));
                OpCheck.check("klDiv 0-d " + r, in -> Loss.klDiv(in[0], in[1], r, false), rs -> RefLoss.klDiv(rs[0], rs[1], r, false),
                        Tensor.of(new double[] {-1}).reshape(), Tensor.of(new double[] {0.5}).reshape());
            }
        }
    }

    /** 0·log 0 counts as 0 with finite gradients; a negative target gives NaN, as torch.xlogy does. */
    @Test
    void klDivAtZeroAndNegativeTargets() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.of(new double[] {-1, -2, -0.5, -3}, 2, 2).requiresGrad(true);
            Tensor t = Tensor.of(new double[] {0, 0.5, -0.1, 2}, 2, 2).requiresGrad(true);
            Tensor l = Loss.klDiv(x, t, LossReduction.NONE, false);
            // torch 2.13: [[0, 0.6534264088], [nan, 7.3862943649]]
            RefPointwise.assertValues("klDiv", new double[] {0, 0.5 * (Math.log(0.5) + 2), Double.NaN, 2 * (Math.log(2) + 3)}, l);
            l.sum().backward();
            // d/dt = log t + 1 - x where t > 0, -x where t = 0
            assertEquals(1.0, t.grad().toDoubleArray()[0]);
            assertEquals(Math.log(0.5) + 1 + 2, t.grad().toDoubleArray()[1], 1e-15);
            assertArrayEquals(new double[] {-0.0, -0.5, 0.1, -2}, x.grad().toDoubleArray(), 1e-15);
            assertEquals(Double.NaN, Loss.klDiv(x, t, LossReduction.BATCHMEAN, false).item());
        }
    }

    @Test
    void marginRankingWithBroadcastTargets() {
        try (Scope ignored = Scope.open()) {
            // -y·(x1 - x2) + margin is at least 0.2 away from the hinge at 0 for both margins
            Tensor x1 = Tensor.of(new double[] {1, 2, 3, -1, 0.5, 2.5}, 6);
            Tensor x2 = Tensor.of(new double[] {2, 2.2, 1, 0.3, 0.2, -1}, 6);
            Tensor y = Tensor.of(new double[] {1, -1, 1, -1, 1, -1}, 6);
            for (LossReduction r : REDUCTIONS) {
                for (double margin : new double[] {0, 0.5}) {
                    OpCheck.check("marginRanking margin " + margin + " " + r, in -> Loss.marginRankingLoss(in[0], in[1], in[2], margin, r),
                            rs -> RefLoss.marginRanking(rs[0], rs[1], rs[2], margin, r), x1, x2, y);
                }
                // [3, 1] against [1, 4] with labels [1, 4]: a [3, 4] loss
                OpCheck.check("marginRanking broadcast " + r, in -> Loss.marginRankingLoss(in[0], in[1], in[2], 0.3, r),
                        rs -> RefLoss.marginRanking(rs[0], rs[1], rs[2], 0.3, r), Tensor.of(new double[] {0.1, 1.7, -2}, 3, 1),
                        Tensor.of(new double[] {0.9, -0.6, 2.2, 1.25}, 1, 4), Tensor.of(new double[] {1, -1, -1, 1}, 1, 4));
            }
            // torch 2.13: margin_ranking_loss([1, 2, 3], [2, 2, 1], [1, -1, 1], margin=0.5, reduction='none') = [1.5, 0.5, 0]
            assertArrayEquals(new float[] {1.5f, 0.5f, 0}, Loss.marginRankingLoss(Tensor.of(1, 2, 3), Tensor.of(2, 2, 1), Tensor.of(1, -1, 1),
                    0.5, LossReduction.NONE).toFloatArray());
        }
    }

    @Test
    void hingeEmbeddingOnBothLabelsAndOthers() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.of(new double[] {0.3, 2, 0.5, 0.2, -0.4, 1.7}, 2, 3);
            Tensor y = Tensor.of(new double[] {1, -1, -1, 0, -1, 1}, 2, 3);
            for (LossReduction r : REDUCTIONS) {
                OpCheck.check("hingeEmbedding " + r, in -> Loss.hingeEmbeddingLoss(in[0], y, 1.0, r),
                        rs -> RefLoss.hingeEmbedding(rs[0], Ref.of(y), 1.0, r), x);
                OpCheck.check("hingeEmbedding strided " + r, in -> Loss.hingeEmbeddingLoss(OpCheck.strided(in[0]), y, 0.6, r),
                        rs -> RefLoss.hingeEmbedding(rs[0], Ref.of(y), 0.6, r), x);
                // labels [2, 1] broadcast against [2, 3] input; integer labels work too
                Tensor column = Tensor.of(new long[] {1, -1}, 2, 1);
                OpCheck.check("hingeEmbedding broadcast " + r, in -> Loss.hingeEmbeddingLoss(in[0], column, 1.0, r),
                        rs -> RefLoss.hingeEmbedding(rs[0], Ref.of(column), 1.0, r), x);
            }
            // torch 2.13: hinge_embedding_loss([0.3, 2, 0.5, 0.2], [1, -1, -1, 0], reduction='none') = [0.3, 0, 0.5, 1.0]
            assertArrayEquals(new float[] {0.3f, 0, 0.5f, 1.0f}, Loss.hingeEmbeddingLoss(Tensor.of(0.3f, 2, 0.5f, 0.2f), Tensor.of(1, -1, -1, 0),
                    1.0, LossReduction.NONE).toFloatArray(), 1e-7f);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            assertBad(() -> Loss.klDiv(x, Tensor.zeros(4), LossReduction.MEAN, false), "klDiv", "[4]", "[2, 3]");
            assertBad(() -> Loss.klDiv(x, Tensor.zeros(DType.INT64, 2, 3), LossReduction.MEAN, false), "klDiv", "target", "int64");
            assertBad(() -> Loss.marginRankingLoss(Tensor.zeros(3), Tensor.zeros(3), Tensor.scalar(1)), "marginRankingLoss",
                    "same number of dims", "[3], [3] and []");
            assertBad(() -> Loss.marginRankingLoss(Tensor.zeros(3), Tensor.zeros(4), Tensor.zeros(3)), "marginRankingLoss", "[3]", "[4]");
            assertBad(() -> Loss.hingeEmbeddingLoss(x, Tensor.zeros(4)), "hingeEmbeddingLoss", "[4]", "[2, 3]");
            assertBad(() -> Loss.hingeEmbeddingLoss(Tensor.zeros(DType.INT64, 3), Tensor.zeros(3)), "hingeEmbeddingLoss", "input", "int64");
            assertBad(() -> Loss.marginRankingLoss(x, x, x, 0, LossReduction.BATCHMEAN), "marginRankingLoss", "batchmean");
        }
    }

    private static void assertBad(Executable call, String... fragments) {
        assertMessage(assertThrows(IllegalArgumentException.class, call), fragments);
    }
}
