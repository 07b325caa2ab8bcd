package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each loss module equals its functional loss with the same settings; weights are buffers named as PyTorch's. */
class LossModuleTest {
    private final Generator gen = new Generator(13);

    private static void assertSame(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape().toArray(), actual.shape().toArray());
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
    }

    @Test
    void regressionLosses() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 4);
            Tensor y = Tensor.randn(gen, 3, 4);
            assertSame(Loss.mseLoss(x, y), new MSELoss().forward(x, y));
            assertSame(Loss.mseLoss(x, y, LossReduction.NONE), new MSELoss(LossReduction.NONE).forward(x, y));
            assertSame(Loss.l1Loss(x, y, LossReduction.SUM), new L1Loss(LossReduction.SUM).forward(x, y));
            assertSame(Loss.smoothL1Loss(x, y, LossReduction.MEAN, 0.5), new SmoothL1Loss(LossReduction.MEAN, 0.5).forward(x, y));
            assertSame(Loss.huberLoss(x, y, LossReduction.MEAN, 2), new HuberLoss(LossReduction.MEAN, 2).forward(x, y));
        }
    }

    @Test
    void classificationLossesWithWeightBuffers() {
        try (Scope s = Scope.open()) {
            Tensor logits = Tensor.randn(gen, 5, 3);
            Tensor labels = Tensor.of(new long[] {0, 2, 1, 2, -100}, 5);
            Tensor w = Tensor.of(new float[] {1, 2, 0.5f});
            CrossEntropyLoss ce = new CrossEntropyLoss(w, -100, LossReduction.MEAN, 0.1);
            assertSame(Loss.crossEntropy(logits, labels, w, -100, LossReduction.MEAN, 0.1), ce.forward(logits, labels));
            assertEquals(List.of("weight"), List.copyOf(ce.stateDict().keySet()));
            ce.close();
            assertFalse(w.isClosed(), "the module keeps its own view of the caller's weight");
            assertTrue(new CrossEntropyLoss().stateDict().isEmpty());
            Tensor logProbs = logits.logSoftmax(1);
            try (NLLLoss nll = new NLLLoss(w, -100, LossReduction.SUM)) {
                assertSame(Loss.nllLoss(logProbs, labels, w, -100, LossReduction.SUM), nll.forward(logProbs, labels));
            }
            Tensor p = Tensor.rand(gen, 5, 3);
            assertSame(Loss.klDiv(logProbs, p, LossReduction.BATCHMEAN, false), new KLDivLoss(LossReduction.BATCHMEAN, false).forward(logProbs, p));
        }
    }

    @Test
    void binaryLosses() {
        try (Scope s = Scope.open()) {
            Tensor z = Tensor.randn(gen, 4, 3);
            Tensor t = Tensor.rand(gen, 4, 3);
            Tensor w = Tensor.rand(gen, 3);
            Tensor pos = Tensor.of(new float[] {1, 2, 3});
            BCEWithLogitsLoss logits = new BCEWithLogitsLoss(null, LossReduction.MEAN, pos);
            assertSame(Loss.binaryCrossEntropyWithLogits(z, t, null, LossReduction.MEAN, pos), logits.forward(z, t));
            assertEquals(List.of("pos_weight"), List.copyOf(logits.stateDict().keySet()), "as PyTorch: no weight key when weight is None");
            Tensor labels = t.gt(0.5).to(z.dtype());
            try (BCELoss bce = new BCELoss(w, LossReduction.SUM); MultiLabelSoftMarginLoss margin = new MultiLabelSoftMarginLoss(w, LossReduction.MEAN)) {
                assertSame(Loss.binaryCrossEntropy(z.sigmoid(), t, w, LossReduction.SUM), bce.forward(z.sigmoid(), t));
                assertSame(Loss.multilabelSoftMarginLoss(z, labels, w, LossReduction.MEAN), margin.forward(z, labels));
            }
            Tensor signs = labels.mul(2).sub(1);
            assertSame(Loss.hingeEmbeddingLoss(z, signs, 0.5, LossReduction.MEAN), new HingeEmbeddingLoss(0.5, LossReduction.MEAN).forward(z, signs));
            Tensor z2 = Tensor.randn(gen, 4, 3);
            assertSame(Loss.marginRankingLoss(z, z2, signs, 0.2, LossReduction.SUM),
                    new MarginRankingLoss(0.2, LossReduction.SUM).forward(z, z2, signs));
            logits.close();
        }
    }

    @Test
    void aLossNeedsItsTarget() {
        try (Scope s = Scope.open()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> new MSELoss().forward(Tensor.zeros(2)));
            assertEquals("MSELoss: a loss needs a target; call forward(input, target)", e.getMessage());
            e = assertThrows(UnsupportedOperationException.class, () -> new MarginRankingLoss().forward(Tensor.zeros(2)));
            assertTrue(e.getMessage().contains("forward(input1, input2, target)"), e.getMessage());
        }
    }

    @Test
    void gradientsFlowToTheInput() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 4, 5).requiresGrad(true);
            new CrossEntropyLoss().forward(x, Tensor.of(new long[] {1, 0, 4, 2}, 4)).backward();
            assertArrayEquals(new long[] {4, 5}, x.grad().shape().toArray());
        }
    }
}
