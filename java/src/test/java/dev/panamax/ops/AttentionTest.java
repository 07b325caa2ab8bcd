package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradCheck;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefAttention;
import dev.panamax.testing.RefAttention.MaskKind;
import org.junit.jupiter.api.Test;

/**
 * Scaled dot-product attention against the naive double-precision reference, forward and
 * gradients of query, key and value (and of a float mask), with masks, causality, broadcasting,
 * L != S and Ev != E; fully masked rows; dropout; bad inputs; leaks.
 */
class AttentionTest {
    private final Generator gen = new Generator(31);

    private static Tensor sdpa(Tensor[] x, boolean causal, Double scale) {
        return Attention.scaledDotProductAttention(x[0], x[1], x[2], x.length > 3 ? x[3] : null, 0, causal, scale, null);
    }

    private static Ref ref(Ref[] r, MaskKind kind, boolean causal, double scale) {
        return RefAttention.sdpa(r[0], r[1], r[2], r.length > 3 ? r[3] : null, kind, causal, scale);
    }

    @Test
    void noMaskWithLDifferentFromSAndEvDifferentFromE() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 3, 4);
            Tensor k = Tensor.randn(gen, 2, 5, 4);
            Tensor v = Tensor.randn(gen, 2, 5, 6);
            OpCheck.check("sdpa", x -> sdpa(x, false, null), r -> ref(r, MaskKind.NONE, false, Double.NaN), q, k, v);
            assertArrayEquals(new long[] {2, 3, 6}, Attention.scaledDotProductAttention(q, k, v).shape().toArray());
        }
    }

    @Test
    void fusedBlocksCoverLongRowsWithAndWithoutCausality() {
        // float32 without mask or dropout runs the fused kernel: 66 queries and 130 keys span two query
        // and two key blocks, with partial last blocks and the causal edge inside a block
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 66, 3);
            Tensor k = Tensor.randn(gen, 130, 3);
            Tensor v = Tensor.randn(gen, 130, 2);
            for (boolean causal : new boolean[] {false, true}) {
                OpCheck.check("fused sdpa causal=" + causal, x -> sdpa(x, causal, 0.6), r -> ref(r, MaskKind.NONE, causal, 0.6), q, k, v);
            }
        }
    }

    @Test
    void fusedGraphKeepsNothingQuadratic() {
        // the composed form would keep the [L, S] weights (64 MiB here) for backward; the fused one keeps q, k, v,
        // the output and one log-sum-exp per row
        int n = 4096;
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 1, n, 8).requiresGrad(true);
            Tensor k = Tensor.randn(gen, 1, n, 8).requiresGrad(true);
            Tensor v = Tensor.randn(gen, 1, n, 8).requiresGrad(true);
            long before = MemoryStats.now().liveBytes();
            Tensor out = Attention.scaledDotProductAttention(q, k, v, null, 0, true, null, null);
            long kept = MemoryStats.now().liveBytes() - before;
            assertTrue(kept < 4L * n * 8 * 4, "forward kept " + kept + " bytes");
            out.sum().backward();
            assertTrue(Float.isFinite((float) k.grad().sum().item()));
        }
    }

    @Test
    void explicitScale() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 4, 3);
            Tensor k = Tensor.randn(gen, 2, 3);
            Tensor v = Tensor.randn(gen, 2, 5);
            OpCheck.check("sdpa scale 0.7", x -> sdpa(x, false, 0.7), r -> ref(r, MaskKind.NONE, false, 0.7), q, k, v);
        }
    }

    @Test
    void boolMaskBroadcastOverBatchAndHeads() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 3, 4, 5);
            Tensor k = Tensor.randn(gen, 2, 3, 6, 5);
            Tensor v = Tensor.randn(gen, 2, 3, 6, 2);
            // [L, S], shared by every batch and head; every row keeps at least one key
            Tensor mask = Tensor.rand(gen, 4, 6).gt(0.4).logicalOr(Tensor.eye(4, 6).gt(0.5));
            OpCheck.check("sdpa bool [L, S]", x -> sdpa(x, false, null), r -> ref(r, MaskKind.BOOL, false, Double.NaN), q, k, v, mask);
            // a key padding mask [N, 1, 1, S]
            Tensor pad = Tensor.of(new boolean[] {true, true, true, false, false, true, true, false, true, true, true, true}, 2, 1, 1, 6);
            OpCheck.check("sdpa bool [N, 1, 1, S]", x -> sdpa(x, false, null), r -> ref(r, MaskKind.BOOL, false, Double.NaN), q, k, v, pad);
        }
    }

    @Test
    void floatMaskIsAddedAndGetsItsGradient() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 3, 2, 4);
            Tensor k = Tensor.randn(gen, 3, 5, 4);
            Tensor v = Tensor.randn(gen, 3, 5, 3);
            Tensor bias = Tensor.randn(gen, 1, 2, 5);
            OpCheck.check("sdpa float mask", x -> sdpa(x, false, null), r -> ref(r, MaskKind.FLOAT, false, Double.NaN), q, k, v, bias);
        }
    }

    @Test
    void floatMaskWithMinusInfinityExcludesKeys() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 3, 4);
            Tensor k = Tensor.randn(gen, 2, 5, 4);
            Tensor v = Tensor.randn(gen, 2, 5, 3);
            Tensor allowed = Tensor.rand(gen, 3, 5).gt(0.5).logicalOr(Tensor.eye(3, 5).gt(0.5));
            Tensor additive = Tensor.zeros(3, 5).maskedFill(allowed.logicalNot(), Double.NEGATIVE_INFINITY);
            Tensor viaFloat = Attention.scaledDotProductAttention(q, k, v, additive, 0, false, null, null);
            Tensor viaBool = Attention.scaledDotProductAttention(q, k, v, allowed, 0, false, null, null);
            assertArrayEquals(viaBool.toFloatArray(), viaFloat.toFloatArray(), 1e-6f);
            Ref expected = RefAttention.sdpa(Ref.of(q), Ref.of(k), Ref.of(v), Ref.of(additive), MaskKind.FLOAT, false, Double.NaN);
            OpCheck.assertClose("sdpa -inf mask", expected, Ref.of(viaFloat), OpCheck.F32_ATOL, OpCheck.F32_RTOL);
        }
    }

    @Test
    void causalIsTheTopLeftLowerTriangle() {
        try (Scope s = Scope.open()) {
            for (long[] ls : new long[][] {{4, 4}, {3, 5}, {5, 3}}) {
                Tensor q = Tensor.randn(gen, 2, ls[0], 3);
                Tensor k = Tensor.randn(gen, 2, ls[1], 3);
                Tensor v = Tensor.randn(gen, 2, ls[1], 4);
                OpCheck.check("sdpa causal L=" + ls[0] + " S=" + ls[1], x -> sdpa(x, true, null),
                        r -> ref(r, MaskKind.NONE, true, Double.NaN), q, k, v);
            }
            assertArrayEquals(new boolean[] {true, false, false, true, true, false}, Attention.causalMask(2, 3, Device.CPU).toBooleanArray());
        }
    }

    @Test
    void batchDimsOfQueryKeyAndValueBroadcast() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 3, 4, 5);
            Tensor k = Tensor.randn(gen, 1, 3, 6, 5);
            Tensor v = Tensor.randn(gen, 6, 2);
            OpCheck.check("sdpa broadcast batch", x -> sdpa(x, false, null), r -> ref(r, MaskKind.NONE, false, Double.NaN), q, k, v);
            // the value alone carries the batch
            Tensor q2 = Tensor.randn(gen, 4, 5);
            Tensor k2 = Tensor.randn(gen, 6, 5);
            Tensor v2 = Tensor.randn(gen, 2, 6, 3);
            Tensor m2 = Tensor.rand(gen, 2, 4, 6).gt(0.3).logicalOr(Tensor.eye(4, 6).gt(0.5));
            OpCheck.check("sdpa batch from value and mask", x -> sdpa(x, false, null), r -> ref(r, MaskKind.BOOL, false, Double.NaN),
                    q2, k2, v2, m2);
        }
    }

    @Test
    void fullyMaskedRowsGiveZerosAndFiniteGradients() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 3, 4);
            Tensor k = Tensor.randn(gen, 2, 5, 4);
            Tensor v = Tensor.randn(gen, 2, 5, 3);
            // row 1 of batch 0 and every row of batch 1's second query... as a [N, L, S] mask
            boolean[] m = new boolean[2 * 3 * 5];
            java.util.Arrays.fill(m, true);
            for (int j = 0; j < 5; j++) {
                m[5 + j] = false; // batch 0, query 1
                m[15 + 10 + j] = false; // batch 1, query 2
            }
            Tensor mask = Tensor.of(m, 2, 3, 5);
            OpCheck.check("sdpa fully masked rows", x -> sdpa(x, false, null), r -> ref(r, MaskKind.BOOL, false, Double.NaN), q, k, v, mask);
            Tensor ql = q.detach().requiresGrad(true);
            Tensor kl = k.detach().requiresGrad(true);
            Attention.Result r = Attention.scaledDotProductAttentionWithWeights(ql, kl, v, mask, 0, false, null, null);
            assertArrayEquals(new float[3], r.output().select(0, 0).select(0, 1).toFloatArray(), "a fully masked row is zero, not NaN");
            assertArrayEquals(new float[5], r.weights().select(0, 1).select(0, 2).toFloatArray(), "and its weights are zero");
            r.output().sum().backward();
            for (double g : ql.grad().toDoubleArray()) {
                assertTrue(Double.isFinite(g), "finite query gradient");
            }
            for (double g : kl.grad().toDoubleArray()) {
                assertTrue(Double.isFinite(g), "finite key gradient");
            }
            assertArrayEquals(new float[4], ql.grad().select(0, 0).select(0, 1).toFloatArray(), "no gradient reaches a masked-out query");
            // the same with a float mask that is all -inf on a row
            Tensor minusInf = Tensor.zeros(2, 3, 5).maskedFill(mask.logicalNot(), Double.NEGATIVE_INFINITY);
            Tensor viaFloat = Attention.scaledDotProductAttention(q, k, v, minusInf, 0, false, null, null);
            assertArrayEquals(r.output().toFloatArray(), viaFloat.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void gradCheckOnTinySizes() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 2, 3);
            Tensor k = Tensor.randn(gen, 2, 3, 3);
            Tensor v = Tensor.randn(gen, 2, 3, 2);
            Tensor mask = Tensor.of(new boolean[] {true, false, true, false, false, false}, 2, 3);
            GradCheck.check(x -> sdpa(x, false, null), q, k, v);
            GradCheck.check(x -> sdpa(x, true, 0.5), q, k, v);
            GradCheck.check(x -> sdpa(x, false, null), q, k, v, mask);
            Tensor bias = Tensor.randn(gen, 2, 3);
            GradCheck.check(x -> sdpa(x, false, null), q, k, v, bias);
        }
    }

    @Test
    void weightsAreTheSoftmaxOfTheScores() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 3, 2, 4);
            Tensor k = Tensor.randn(gen, 3, 5, 4);
            Tensor v = Tensor.randn(gen, 3, 5, 3);
            Tensor mask = Tensor.rand(gen, 2, 5).gt(0.5).logicalOr(Tensor.eye(2, 5).gt(0.5));
            Attention.Result r = Attention.scaledDotProductAttentionWithWeights(q, k, v, mask, 0, false, null, null);
            Ref expected = RefAttention.weights(Ref.of(q), Ref.of(k), Ref.of(v), Ref.of(mask), MaskKind.BOOL, false, Double.NaN);
            OpCheck.assertClose("weights", expected, Ref.of(r.weights()), OpCheck.F32_ATOL, OpCheck.F32_RTOL);
        }
    }

    @Test
    void dropoutActsOnTheWeightsWithItsSeed() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 4, 3);
            Tensor k = Tensor.randn(gen, 2, 6, 3);
            Tensor v = Tensor.randn(gen, 2, 6, 5);
            Tensor a = Attention.scaledDotProductAttention(q, k, v, null, 0.4, false, null, new Generator(3));
            Tensor b = Attention.scaledDotProductAttention(q, k, v, null, 0.4, false, null, new Generator(3));
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), "the same seed gives the same masks");
            Tensor c = Attention.scaledDotProductAttention(q, k, v, null, 0.4, false, null, new Generator(4));
            assertFalse(java.util.Arrays.equals(a.toFloatArray(), c.toFloatArray()));
            Attention.Result plain = Attention.scaledDotProductAttentionWithWeights(q, k, v, null, 0, false, null, null);
            Tensor dropped = Regularization.dropout(plain.weights(), 0.4, true, new Generator(3));
            assertArrayEquals(dropped.matmul(v).toFloatArray(), a.toFloatArray(), 1e-6f, "dropout on the weights, then the product with value");
            Attention.Result withWeights = Attention.scaledDotProductAttentionWithWeights(q, k, v, null, 0.4, false, null, new Generator(3));
            assertArrayEquals(dropped.toFloatArray(), withWeights.weights().toFloatArray(), "the returned weights are the dropped ones");
            assertArrayEquals(plain.output().toFloatArray(), Attention.scaledDotProductAttention(q, k, v, null, 0, false, null, new Generator(3))
                    .toFloatArray(), 1e-6f, "p = 0 is no dropout (the fused form, within rounding of the composed one)");
        }
    }

    @Test
    void emptySequencesAsPyTorch() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 3, 4).requiresGrad(true);
            Tensor noKeys = Attention.scaledDotProductAttention(q, Tensor.zeros(2, 0, 4), Tensor.zeros(2, 0, 5));
            assertArrayEquals(new long[] {2, 3, 5}, noKeys.shape().toArray());
            assertArrayEquals(new float[30], noKeys.toFloatArray(), "no keys: zeros, as PyTorch");
            Tensor masked = Attention.scaledDotProductAttention(q, Tensor.zeros(2, 0, 4), Tensor.zeros(2, 0, 5), Tensor.zeros(DType.BOOL, 3, 0),
                    0, false, null, null);
            assertArrayEquals(new float[30], masked.toFloatArray());
            noKeys.sum().backward();
            assertArrayEquals(new float[24], q.grad().toFloatArray());
            Tensor noQueries = Attention.scaledDotProductAttention(Tensor.zeros(2, 0, 4), Tensor.randn(gen, 2, 3, 4), Tensor.randn(gen, 2, 3, 5),
                    null, 0, true, null, null);
            assertArrayEquals(new long[] {2, 0, 5}, noQueries.shape().toArray());
        }
    }

    @Test
    void float64Throughout() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 3).to(DType.FLOAT64);
            Tensor k = Tensor.randn(gen, 4, 3).to(DType.FLOAT64);
            Tensor v = Tensor.randn(gen, 4, 3).to(DType.FLOAT64);
            assertEquals(DType.FLOAT64, Attention.scaledDotProductAttention(q, k, v).dtype());
        }
    }

    @Test
    void badInputsNameTheArgumentsAndShapes() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.randn(gen, 2, 3, 4);
            Tensor k = Tensor.randn(gen, 2, 5, 4);
            Tensor v = Tensor.randn(gen, 2, 5, 6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.scaledDotProductAttention(q, Tensor.randn(gen, 2, 5, 3), v));
            assertMessage(e, "scaledDotProductAttention", "query's last dim (E = 4)", "key's last dim (3)", "query [2, 3, 4]", "key [2, 5, 3]");
            e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, Tensor.randn(gen, 2, 4, 6)));
            assertMessage(e, "key and value must have the same sequence length", "key [2, 5, 4]", "value [2, 4, 6]");
            e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, Tensor.randn(gen, 3, 5, 4), v));
            assertMessage(e, "batch dims", "query [2, 3, 4]", "key [3, 5, 4]");
            e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(Tensor.randn(gen, 4), k, v));
            assertMessage(e, "at least 2 dims", "query [4]");
            e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.scaledDotProductAttention(q, k, v, Tensor.ones(DType.BOOL, 3, 4), 0, false, null, null));
            assertMessage(e, "attnMask of shape [3, 4]", "not broadcastable", "[2, 3, 5]");
            e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.scaledDotProductAttention(q, k, v, Tensor.ones(DType.BOOL, 4, 2, 3, 5), 0, false, null, null));
            assertMessage(e, "attnMask of shape [4, 2, 3, 5]", "not broadcastable");
            e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.scaledDotProductAttention(q, k, v, Tensor.ones(DType.INT64, 3, 5), 0, false, null, null));
            assertMessage(e, "attnMask must be bool", "int64");
            e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.scaledDotProductAttention(q, k, v, Tensor.ones(DType.BOOL, 3, 5), 0, true, null, null));
            assertMessage(e, "attnMask must be null when isCausal");
            e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, v, null, 1.5, false, null, null));
            assertMessage(e, "dropoutP", "1.5");
            e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k.to(DType.FLOAT64), v));
            assertMessage(e, "same floating-point dtype", "float64");
        }
    }

    @Test
    void forwardAndBackwardLeakNothing() {
        Tensor q = Tensor.randn(gen, 2, 2, 3, 4).requiresGrad(true);
        Tensor k = Tensor.randn(gen, 2, 2, 5, 4).requiresGrad(true);
        Tensor v = Tensor.randn(gen, 2, 2, 5, 3).requiresGrad(true);
        Tensor mask;
        try (Tensor u = Tensor.rand(gen, 3, 5)) {
            mask = u.gt(0.5);
        }
        Tensor bias = Tensor.randn(gen, 3, 5);
        Generator g = new Generator(8);
        MemoryStats before = Leaks.baseline();
        for (int i = 0; i < 5; i++) {
            try (Tensor o1 = Attention.scaledDotProductAttention(q, k, v, mask, 0.2, false, null, g);
                 Tensor o2 = Attention.scaledDotProductAttention(q, k, v, bias, 0, false, 0.3, g);
                 Tensor o3 = Attention.scaledDotProductAttention(q, k, v, null, 0, true, null, g);
                 Attention.Result r = Attention.scaledDotProductAttentionWithWeights(q, k, v, mask, 0, false, null, g);
                 Tensor s1 = o1.sum(); Tensor s2 = o2.sum(); Tensor s3 = o3.sum(); Tensor s4 = r.weights().sum();
                 Tensor t1 = s1.add(s2); Tensor t2 = t1.add(s3); Tensor t3 = t2.add(s4)) {
                t3.backward();
            }
            q.zeroGrad();
            k.zeroGrad();
            v.zeroGrad();
            // a forward whose graph is dropped without backward
            try (Tensor unused = Attention.scaledDotProductAttention(q, k, v, mask, 0, false, null, g)) {
                assertTrue(unused.requiresGrad());
            }
        }
        Leaks.assertNoneSince(before, "scaledDotProductAttention");
        for (Tensor t : new Tensor[] {q, k, v, mask, bias}) {
            t.close();
        }
    }
}
