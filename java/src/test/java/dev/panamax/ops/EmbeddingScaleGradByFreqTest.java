package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefEmbedding;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * scaleGradByFreq: each weight row's gradient divided by how often its index occurs in the call's
 * input. Not a derivative of the forward, so checked against a reference of the gradient itself
 * rather than by finite differences.
 */
class EmbeddingScaleGradByFreqTest {
    private static final EmbeddingOptions SCALED = EmbeddingOptions.DEFAULT.scaleGradByFreq(true);
    private final Generator gen = new Generator(91);

    /**
     * The weight's gradient when op(w) backpropagates a random gradient of outShape, in float32 and
     * float64, against the reference's gradient given that upstream gradient as [bags, D].
     */
    private void check(String name, Function<Tensor, Tensor> op, long[] outShape, Function<Ref, Ref> reference) {
        try (Scope outer = Scope.open()) {
            Tensor weight = Tensor.randn(gen, 6, 3);
            Tensor upstream = Tensor.randn(gen, outShape);
            Ref expected = reference.apply(new Ref(Ref.of(upstream).data, upstream.numel() / 3, 3));
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                try (Scope inner = Scope.open()) {
                    Tensor w = weight.to(dtype).requiresGrad(true);
                    op.apply(w).backward(upstream.to(dtype));
                    boolean f32 = dtype == DType.FLOAT32;
                    OpCheck.assertClose(name + " (" + dtype.pyName() + ")", expected, Ref.of(w.grad()),
                            f32 ? OpCheck.F32_GRAD_ATOL : OpCheck.F64_GRAD_ATOL, f32 ? OpCheck.F32_GRAD_RTOL : OpCheck.F64_GRAD_RTOL);
                }
            }
        }
    }

    @Test
    void embeddingDividesEachRowsGradientByItsCount() {
        long[] ids = {3, 0, 3, 5, 3, 0}; // 3 three times, 0 twice, 5 once
        long[] eachItsOwnBag = {0, 1, 2, 3, 4, 5};
        for (long padding : new long[] {-1, 0, 5}) {
            EmbeddingOptions o = padding < 0 ? SCALED : SCALED.paddingIdx(padding - 6); // given from the end, as -6 or -1
            check("embedding padding " + padding, w -> Embedding.embedding(Tensor.of(ids, 2, 3), w, o), new long[] {2, 3, 3},
                    g -> RefEmbedding.bagWeightGradScaledByFreq(ids, eachItsOwnBag, 6, 6, g, "sum", null, padding));
        }
    }

    @Test
    void bagsInModesSumAndMean() {
        long[] ids = {1, 2, 2, 4, 5, 3, 2, 1};
        long[] offsets = {0, 3, 3, 6};
        for (EmbeddingBagMode mode : new EmbeddingBagMode[] {EmbeddingBagMode.SUM, EmbeddingBagMode.MEAN}) {
            for (long padding : new long[] {-1, 2}) {
                EmbeddingOptions o = padding < 0 ? SCALED : SCALED.paddingIdx(padding);
                check("embeddingBag " + mode.pyName() + " padding " + padding,
                        w -> Embedding.embeddingBag(Tensor.of(ids, 8), w, Tensor.of(offsets, 4), o, mode, null, false), new long[] {4, 3},
                        g -> RefEmbedding.bagWeightGradScaledByFreq(ids, offsets, 4, 6, g, mode.pyName(), null, padding));
            }
        }
        Tensor weights = Tensor.randn(gen, 8);
        check("embeddingBag perSampleWeights", w -> Embedding.embeddingBag(Tensor.of(ids, 8), w, Tensor.of(offsets, 4), SCALED,
                        EmbeddingBagMode.SUM, weights.to(w.dtype()), false),
                new long[] {4, 3}, g -> RefEmbedding.bagWeightGradScaledByFreq(ids, offsets, 4, 6, g, "sum", Ref.of(weights), -1));
        check("embeddingBag 2-D", w -> Embedding.embeddingBag(Tensor.of(ids, 2, 4), w, null, SCALED, EmbeddingBagMode.MEAN, null, false),
                new long[] {2, 3}, g -> RefEmbedding.bagWeightGradScaledByFreq(ids, new long[] {0, 4}, 2, 6, g, "mean", null, -1));
        // the indices after the last bag's end belong to no bag but are part of the input, so they count
        long[] withEnd = {0, 3, 5};
        check("embeddingBag includeLastOffset",
                w -> Embedding.embeddingBag(Tensor.of(ids, 8), w, Tensor.of(withEnd, 3), SCALED, EmbeddingBagMode.SUM, null, true),
                new long[] {2, 3}, g -> RefEmbedding.bagWeightGradScaledByFreq(ids, withEnd, 2, 6, g, "sum", null, -1));
        weights.close();
    }

    @Test
    void perSampleWeightsGetTheirUnscaledGradient() {
        try (Scope s = Scope.open()) {
            Tensor ids = Tensor.of(new long[] {1, 1, 2, 1}, 4);
            Tensor offsets = Tensor.of(new long[] {0, 2}, 2);
            Tensor w = Tensor.randn(gen, 3, 2);
            Tensor upstream = Tensor.randn(gen, 2, 2);
            double[][] grads = new double[2][];
            for (int i = 0; i < 2; i++) {
                Tensor psw = Tensor.randn(new Generator(5), 4).requiresGrad(true);
                EmbeddingOptions o = EmbeddingOptions.DEFAULT.scaleGradByFreq(i == 1);
                Embedding.embeddingBag(ids, w, offsets, o, EmbeddingBagMode.SUM, psw, false).backward(upstream);
                grads[i] = psw.grad().toDoubleArray();
            }
            assertArrayEquals(grads[0], grads[1]);
        }
    }

    @Test
    void eachCallCountsItsOwnInput() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.zeros(4, 2).requiresGrad(true);
            Tensor y1 = Embedding.embedding(Tensor.of(new long[] {1, 1, 2}, 3), w, SCALED);
            Tensor y2 = Embedding.embedding(Tensor.of(new long[] {1, 3}, 2), w, SCALED);
            y1.sum().add(y2.sum()).backward();
            // row 1: 2 ones / 2 in the first call + 1 / 1 in the second
            assertArrayEquals(new double[] {0, 0, 2, 2, 1, 1, 1, 1}, w.grad().toDoubleArray());
            Tensor none = Embedding.embedding(Tensor.zeros(DType.INT64, 0, 3), w, SCALED);
            w.zeroGrad();
            none.sum().backward();
            assertArrayEquals(new double[8], w.grad().toDoubleArray(), "an empty input adds nothing");
        }
    }

    /**
     * Gradients PyTorch 2.13 gives for w = arange(12.).view(6, 2) in float64:
     * F.embedding(tensor([[1,2,2],[4,2,1]]), w, padding_idx=p, scale_grad_by_freq=True).backward(arange(1., 13.).view(2, 3, 2)),
     * and F.embedding_bag(tensor([4,0,5,1,4,5]), w, tensor([0,2,2,5]), mode=m, padding_idx=p, per_sample_weights=psw,
     * scale_grad_by_freq=True).backward(arange(1., 9.).view(4, 2)). The bags' indices are chosen so that PyTorch's CPU
     * embedding_bag gets them right: it divides by another index's count when a once-occurring index sorts after a
     * repeated one (pytorch/pytorch#190063: [1, 1, 3] gives row 3 a half); its embedding, its CUDA embedding_bag and its
     * documentation divide by the index's own count, as Panamax does.
     */
    @Test
    void agreesWithPyTorch() {
        try (Scope s = Scope.open()) {
            Tensor ids = Tensor.of(new long[] {1, 2, 2, 4, 2, 1}, 2, 3);
            Tensor up = Tensor.arange(1, 13, 1, DType.FLOAT64).view(2, 3, 2);
            assertGrad(new double[] {0, 0, 6, 7, 17 / 3.0, 20 / 3.0, 0, 0, 7, 8, 0, 0}, w -> Embedding.embedding(ids, w, SCALED), up);
            assertGrad(new double[] {0, 0, 6, 7, 0, 0, 0, 0, 7, 8, 0, 0}, w -> Embedding.embedding(ids, w, SCALED.paddingIdx(2)), up);

            Tensor flat = Tensor.of(new long[] {4, 0, 5, 1, 4, 5}, 6);
            Tensor offsets = Tensor.of(new long[] {0, 2, 2, 5}, 4);
            Tensor bagUp = Tensor.arange(1, 9, 1, DType.FLOAT64).view(4, 2);
            Tensor psw = Tensor.of(new double[] {0.5, 1.5, -1, 2, 0.25, 3}, 6);
            assertGrad(new double[] {1, 2, 5, 6, 0, 0, 0, 0, 3, 4, 6, 7}, w -> bag(flat, w, offsets, SCALED, EmbeddingBagMode.SUM, null), bagUp);
            assertGrad(new double[] {0.5, 1, 5 / 3.0, 2, 0, 0, 0, 0, 13 / 12.0, 1.5, 13 / 3.0, 5},
                    w -> bag(flat, w, offsets, SCALED, EmbeddingBagMode.MEAN, null), bagUp);
            assertGrad(new double[] {1, 2, 0, 0, 0, 0, 0, 0, 3, 4, 6, 7},
                    w -> bag(flat, w, offsets, SCALED.paddingIdx(1), EmbeddingBagMode.SUM, null), bagUp);
            assertGrad(new double[] {0.5, 1, 0, 0, 0, 0, 0, 0, 1.5, 2, 4.75, 5.5},
                    w -> bag(flat, w, offsets, SCALED.paddingIdx(1), EmbeddingBagMode.MEAN, null), bagUp);
            assertGrad(new double[] {1.5, 3, 10, 12, 0, 0, 0, 0, 0.875, 1.25, 8, 9},
                    w -> bag(flat, w, offsets, SCALED, EmbeddingBagMode.SUM, psw), bagUp);
            // F.embedding_bag(tensor([[4,0,5],[1,4,5]]), w, mode="mean", scale_grad_by_freq=True).backward(arange(1., 5.).view(2, 2))
            assertGrad(new double[] {1 / 3.0, 2 / 3.0, 1, 4 / 3.0, 0, 0, 0, 0, 2 / 3.0, 1, 2 / 3.0, 1},
                    w -> bag(flat.view(2, 3), w, null, SCALED, EmbeddingBagMode.MEAN, null), bagUp.narrow(0, 0, 2));
        }
    }

    private static Tensor bag(Tensor input, Tensor w, Tensor offsets, EmbeddingOptions o, EmbeddingBagMode mode, Tensor psw) {
        return Embedding.embeddingBag(input, w, offsets, o, mode, psw, false);
    }

    private static void assertGrad(double[] expected, Function<Tensor, Tensor> op, Tensor upstream) {
        Tensor w = Tensor.arange(0, 12, 1, DType.FLOAT64).view(6, 2).requiresGrad(true);
        op.apply(w).backward(upstream);
        assertArrayEquals(expected, w.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void modeMaxRefusesIt() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.randn(gen, 5, 2);
            // PyTorch: "max mode does not support scaling the gradient by the frequency", with or without a gradient
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Embedding.embeddingBag(Tensor.of(new long[] {0, 1}, 2),
                    w, Tensor.of(new long[] {0}, 1), SCALED, EmbeddingBagMode.MAX, null, false));
            assertEquals("embeddingBag: mode \"max\" does not support scaleGradByFreq (scaling the gradient by the frequency)", e.getMessage());
        }
    }
}
