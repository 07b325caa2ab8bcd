package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefEmbedding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class EmbeddingTest {
    private final Generator gen = new Generator(77);

    @Test
    void lookupOfRepeatedIndicesAccumulatesTheirGradients() {
        try (Scope s = Scope.open()) {
            Tensor ids = Tensor.of(new long[] {4, 0, 2, 2, 4, 4}, 2, 3);
            OpCheck.check("embedding", t -> Embedding.embedding(t[0], t[1]), r -> RefEmbedding.embedding(r[0], r[1]),
                    ids, Tensor.randn(gen, 5, 3));
        }
    }

    @Test
    void stridedWeightAndPermutedIndices() {
        try (Scope s = Scope.open()) {
            try (Tensor ids = Tensor.of(new long[] {1, 3, 0, 1, 2, 3}, 3, 2); Tensor ids2 = ids.t()) {
                OpCheck.check("embedding strided", t -> Embedding.embedding(t[0], OpCheck.strided(t[1])),
                        r -> RefEmbedding.embedding(r[0], r[1]), ids2.contiguous(), Tensor.randn(gen, 4, 5));
                // a non-contiguous index tensor reads the same rows as its contiguous copy
                Tensor w = Tensor.randn(gen, 4, 5);
                assertArrayEquals(Embedding.embedding(ids2.contiguous(), w).toFloatArray(), Embedding.embedding(ids2, w).toFloatArray());
            }
        }
    }

    @Test
    void scalarAndEmptyInputs() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.randn(gen, 3, 2);
            Tensor one = Embedding.embedding(Tensor.of(new long[] {2}).reshape(), w);
            assertArrayEquals(new long[] {2}, one.shape().toArray());
            assertArrayEquals(w.select(0, 2).toFloatArray(), one.toFloatArray());
            Tensor none = Embedding.embedding(Tensor.zeros(DType.INT64, 0, 4), w);
            assertArrayEquals(new long[] {0, 4, 2}, none.shape().toArray());
        }
    }

    @Test
    void thePaddingRowGetsNoGradient() {
        for (long paddingIdx : new long[] {2, -2}) {
            try (Scope s = Scope.open()) {
                Tensor w = Tensor.randn(gen, 4, 3).requiresGrad(true);
                Tensor ids = Tensor.of(new long[] {2, 1, 2, 0, 1}, 5);
                Embedding.embedding(ids, w, EmbeddingOptions.DEFAULT.paddingIdx(paddingIdx)).sum().backward();
                double[] g = w.grad().toDoubleArray();
                double[] expected = {1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0};
                assertArrayEquals(expected, g, 0.0, "paddingIdx " + paddingIdx);
            }
        }
    }

    @Test
    void maxNormRescalesTheReferencedRowsInPlace() {
        try (Scope s = Scope.open()) {
            double[] rows = {3, 4, 0.3, 0.4, 6, 8, -3, 0};
            Tensor w = Tensor.of(rows, 4, 2);
            Tensor y = Embedding.embedding(Tensor.of(new long[] {0, 1, 0, 3}, 4), w, EmbeddingOptions.DEFAULT.maxNorm(2.5));
            double[] after = w.toDoubleArray();
            double s0 = 2.5 / (5 + 1e-7);
            double s3 = 2.5 / (3 + 1e-7);
            assertArrayEquals(new double[] {3 * s0, 4 * s0, 0.3, 0.4, 6, 8, -3 * s3, 0}, after, 1e-6, "rows 0 and 3 rescaled, 1 under the norm, 2 not referenced");
            assertArrayEquals(new double[] {3 * s0, 4 * s0, 0.3, 0.4, 3 * s0, 4 * s0, -3 * s3, 0}, y.toDoubleArray(), 1e-6);
            Tensor w1 = Tensor.of(new double[] {1, -2, 2, 0.5}, 2, 2);
            Embedding.embedding(Tensor.of(new long[] {0, 1}, 2), w1, EmbeddingOptions.DEFAULT.maxNorm(2).normType(1));
            double f = 2 / (3 + 1e-7);
            assertArrayEquals(new double[] {f, -2 * f, 2 * 2 / (2.5 + 1e-7), 0.5 * 2 / (2.5 + 1e-7)}, w1.toDoubleArray(), 1e-6);
            // normType +inf (PyTorch takes float('inf')): the largest magnitude is the norm
            Tensor wInf = Tensor.of(new double[] {1, -3, 0.5, 0.2}, 2, 2);
            Embedding.embedding(Tensor.of(new long[] {0, 1}, 2), wInf, EmbeddingOptions.DEFAULT.maxNorm(2).normType(Double.POSITIVE_INFINITY));
            double g = 2 / (3 + 1e-7);
            assertArrayEquals(new double[] {g, -3 * g, 0.5, 0.2}, wInf.toDoubleArray(), 1e-6, "row 0 rescaled to |.|max 2, row 1 under it");
        }
    }

    private void checkBag(String name, long[] ids, long[] inputShape, long[] offsets, boolean includeLast, EmbeddingBagMode mode,
                          boolean weighted, Long padding) {
        Tensor input = Tensor.of(ids, inputShape);
        Tensor off = offsets == null ? null : Tensor.of(offsets, offsets.length);
        long[] starts = offsets;
        if (offsets == null) {
            starts = new long[(int) inputShape[0]];
            for (int b = 0; b < starts.length; b++) {
                starts[b] = b * inputShape[1];
            }
        }
        int bags = includeLast ? starts.length - 1 : starts.length;
        long[] refStarts = starts;
        EmbeddingOptions o = padding == null ? EmbeddingOptions.DEFAULT : EmbeddingOptions.DEFAULT.paddingIdx(padding);
        long pad = padding == null ? -1 : padding;
        Tensor w = Tensor.randn(gen, 6, 3);
        if (weighted) {
            OpCheck.check(name, t -> Embedding.embeddingBag(t[0], t[1], off, o, mode, t[2], includeLast),
                    r -> RefEmbedding.embeddingBag(ids, refStarts, bags, r[1], mode.pyName(), r[2], pad),
                    input, w, Tensor.randn(gen, inputShape));
        } else {
            OpCheck.check(name, t -> Embedding.embeddingBag(t[0], t[1], off, o, mode, null, includeLast),
                    r -> RefEmbedding.embeddingBag(ids, refStarts, bags, r[1], mode.pyName(), null, pad), input, w);
        }
    }

    @Test
    void bagsWithOffsetsInEveryMode() {
        try (Scope s = Scope.open()) {
            long[] ids = {1, 2, 2, 4, 5, 3, 0, 1};
            for (EmbeddingBagMode mode : EmbeddingBagMode.values()) {
                checkBag("embeddingBag " + mode.pyName(), ids, new long[] {8}, new long[] {0, 2, 2, 5}, false, mode, false, null);
                checkBag("embeddingBag padding " + mode.pyName(), ids, new long[] {8}, new long[] {0, 3, 3, 6}, false, mode, false, 2L);
                checkBag("embeddingBag 2-D " + mode.pyName(), ids, new long[] {2, 4}, null, false, mode, false, null);
            }
        }
    }

    @Test
    void perSampleWeightsAndIncludeLastOffset() {
        try (Scope s = Scope.open()) {
            long[] ids = {1, 2, 2, 4, 5, 3};
            checkBag("embeddingBag weighted", ids, new long[] {6}, new long[] {0, 1, 4}, false, EmbeddingBagMode.SUM, true, null);
            checkBag("embeddingBag weighted padding", ids, new long[] {2, 3}, null, false, EmbeddingBagMode.SUM, true, 2L);
            checkBag("embeddingBag include last", ids, new long[] {6}, new long[] {0, 3, 5}, true, EmbeddingBagMode.MEAN, false, null);
        }
    }

    @Test
    void bagsOfOnlyPaddingOrNothingAreZero() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.randn(gen, 4, 2);
            for (EmbeddingBagMode mode : EmbeddingBagMode.values()) {
                Tensor y = Embedding.embeddingBag(Tensor.of(new long[] {3, 3}, 2), w, Tensor.of(new long[] {0, 0, 2}, 3),
                        EmbeddingOptions.DEFAULT.paddingIdx(3), mode, null, false);
                assertArrayEquals(new float[6], y.toFloatArray(), mode.pyName());
            }
        }
    }

    @Test
    void sameBitsOnOneAndTwoThreads() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.randn(gen, 500, 64).requiresGrad(true);
            Tensor ids = Tensor.randint(gen, 0, 500, 4000);
            Tensor offsets = Tensor.arange(0, 4000, 40, DType.INT64);
            float[][] one = runBag(w, ids, offsets, 1);
            float[][] two = runBag(w, ids, offsets, 2);
            assertArrayEquals(one[0], two[0]);
            assertArrayEquals(one[1], two[1]);
        }
    }

    private static float[][] runBag(Tensor w, Tensor ids, Tensor offsets, int threads) {
        return CpuThreads.call(threads, () -> {
            w.zeroGrad();
            Tensor y = Embedding.embeddingBag(ids, w, offsets);
            try (Tensor e = Embedding.embedding(ids, w); Tensor loss = y.pow(2).sum().add(e.sum())) {
                loss.backward();
            }
            return new float[][] {y.toFloatArray(), w.grad().toFloatArray()};
        });
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.randn(gen, 5, 2);
            Tensor ids = Tensor.of(new long[] {0, 1, 2, 3}, 4);
            assertMessage(() -> Embedding.embedding(Tensor.of(new long[] {0, 5}, 2), w), "embedding: index 5 is out of bounds for dim 0 with size 5");
            assertMessage(() -> Embedding.embedding(Tensor.of(new long[] {-1}, 1), w), "embedding: index -1 is out of bounds");
            assertMessage(() -> Embedding.embedding(ids, Tensor.randn(gen, 5)), "embedding: weight has to be a 2D tensor", "[5]");
            assertMessage(() -> Embedding.embedding(w, w), "embedding: input must be an integer tensor");
            assertMessage(() -> Embedding.embedding(ids, w, EmbeddingOptions.DEFAULT.paddingIdx(5)), "embedding: paddingIdx 5", "num_embeddings 5");
            assertMessage(() -> Embedding.embedding(ids, w, EmbeddingOptions.DEFAULT.maxNorm(-1)), "embedding: maxNorm", "-1.0");
            assertMessage(() -> Embedding.embedding(ids, w, EmbeddingOptions.DEFAULT.maxNorm(1).normType(0)), "embedding: maxNorm", "normType 0.0");
            assertMessage(() -> Embedding.embeddingBag(ids, w, Tensor.of(new long[] {1, 2}, 2)), "embeddingBag: offsets[0] has to be 0", "got 1");
            assertMessage(() -> Embedding.embeddingBag(ids, w, Tensor.of(new long[] {0, 3, 2}, 3)), "embeddingBag: offsets must be non-decreasing",
                    "offsets[2] = 2");
            assertMessage(() -> Embedding.embeddingBag(ids, w, Tensor.of(new long[] {0, 5}, 2)), "embeddingBag: offsets[-1] can not be greater than"
                    + " input's length 4 but got 5");
            assertMessage(() -> Embedding.embeddingBag(ids.view(2, 2), w, Tensor.of(new long[] {0}, 1)), "embeddingBag: if input is 2D, then offsets"
                    + " has to be null", "[1]");
            assertMessage(() -> Embedding.embeddingBag(ids, w, null), "embeddingBag: offsets has to be a 1D tensor for a 1D input, got null");
            assertMessage(() -> Embedding.embeddingBag(ids.view(1, 2, 2), w, null), "embeddingBag: input has to be a 1D or 2D tensor", "[1, 2, 2]");
            assertMessage(() -> Embedding.embeddingBag(ids, w, Tensor.of(new long[] {0}, 1), EmbeddingOptions.DEFAULT, EmbeddingBagMode.MEAN,
                    Tensor.ones(4), false), "embeddingBag: perSampleWeights is only supported for mode \"sum\", got mode \"mean\"");
            assertMessage(() -> Embedding.embeddingBag(ids, w, Tensor.of(new long[] {0}, 1), EmbeddingOptions.DEFAULT, EmbeddingBagMode.SUM,
                    Tensor.ones(3), false), "embeddingBag: perSampleWeights float32[3]", "input's shape [4]");
        }
    }

    private static void assertMessage(Executable call, String... parts) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    @Test
    void referenceAgreesWithPyTorchOnABag() {
        // F.embedding_bag(tensor([1,2,2,4,5,3]), arange(12.).view(6,2), tensor([0,2,2,5]), mode=m, padding_idx=2)
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.arange(0, 12, 1, DType.FLOAT32).view(6, 2);
            Tensor ids = Tensor.of(new long[] {1, 2, 2, 4, 5, 3}, 6);
            Tensor offsets = Tensor.of(new long[] {0, 2, 2, 5}, 4);
            EmbeddingOptions o = EmbeddingOptions.DEFAULT.paddingIdx(2);
            assertArrayEquals(new float[] {2, 3, 0, 0, 18, 20, 6, 7},
                    Embedding.embeddingBag(ids, w, offsets, o, EmbeddingBagMode.SUM, null, false).toFloatArray());
            assertArrayEquals(new float[] {2, 3, 0, 0, 9, 10, 6, 7},
                    Embedding.embeddingBag(ids, w, offsets, o, EmbeddingBagMode.MEAN, null, false).toFloatArray());
            assertArrayEquals(new float[] {2, 3, 0, 0, 10, 11, 6, 7},
                    Embedding.embeddingBag(ids, w, offsets, o, EmbeddingBagMode.MAX, null, false).toFloatArray());
            assertEquals(2, Embedding.embeddingBag(ids, w, Tensor.of(new long[] {0, 3, 5}, 3), EmbeddingOptions.DEFAULT,
                    EmbeddingBagMode.SUM, null, true).size(0));
        }
    }
}
