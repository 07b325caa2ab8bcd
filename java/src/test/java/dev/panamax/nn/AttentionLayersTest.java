package dev.panamax.nn;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.ops.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MultiheadAttention, the Transformer encoder and the positional encodings: names, init, semantics, bad inputs, leaks. */
class AttentionLayersTest {
    private final Generator gen = new Generator(17);

    private static void assertAllWithin(Tensor t, double bound, String what) {
        for (double x : t.toDoubleArray()) {
            assertTrue(Math.abs(x) <= bound + 1e-7, what + ": " + x + " outside ±" + bound);
        }
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape().toArray(), actual.shape().toArray(), what + ": shape");
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 1e-5f, what);
    }

    @Test
    void multiheadAttentionParametersAndInitFollowPyTorch() {
        try (Scope s = Scope.open(); MultiheadAttention packed = new MultiheadAttention(8, 2, 0, true, 8, 8, true, gen);
             MultiheadAttention separate = new MultiheadAttention(8, 2, 0, true, 6, 4, false, gen);
             MultiheadAttention noBias = new MultiheadAttention(8, 4, 0, false, 8, 8, false, gen)) {
            assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), List.copyOf(packed.stateDict().keySet()));
            assertEquals(List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                    List.copyOf(separate.stateDict().keySet()));
            assertEquals(List.of("in_proj_weight", "out_proj.weight"), List.copyOf(noBias.stateDict().keySet()));
            assertArrayEquals(new long[] {24, 8}, packed.inProjWeight().shape().toArray());
            assertArrayEquals(new long[] {24}, packed.inProjBias().shape().toArray());
            assertArrayEquals(new long[] {8, 6}, separate.kProjWeight().shape().toArray());
            assertArrayEquals(new long[] {8, 4}, separate.vProjWeight().shape().toArray());
            assertNull(separate.inProjWeight());
            assertEquals(0.0, packed.inProjBias().abs().sum().item(), "in_proj_bias starts at zero");
            assertEquals(0.0, packed.outProj().bias().abs().sum().item(), "out_proj.bias starts at zero");
            assertAllWithin(packed.inProjWeight(), Math.sqrt(6.0 / (8 + 24)), "xavier_uniform on in_proj_weight [3E, E]");
            assertTrue(packed.inProjWeight().abs().max().item() > 0.5 * Math.sqrt(6.0 / 32), "spread over the xavier range");
            assertAllWithin(separate.qProjWeight(), Math.sqrt(6.0 / 16), "xavier_uniform on q_proj_weight");
            assertAllWithin(separate.kProjWeight(), Math.sqrt(6.0 / 14), "xavier_uniform on k_proj_weight");
            assertAllWithin(packed.outProj().weight(), 1 / Math.sqrt(8), "out_proj.weight as Linear's default");
            assertEquals(8 * 24 + 24 + 64 + 8, packed.parameterCount());
        }
    }

    @Test
    void layoutsAgree() {
        try (Scope s = Scope.open(); MultiheadAttention first = new MultiheadAttention(8, 2, 0, true, 8, 8, true, new Generator(4));
             MultiheadAttention seq = new MultiheadAttention(8, 2, 0, true, 8, 8, false, new Generator(4))) {
            Tensor q = Tensor.randn(gen, 3, 4, 8);
            Tensor kv = Tensor.randn(gen, 3, 6, 8);
            MultiheadAttention.Output a = first.forward(q, kv, kv);
            assertArrayEquals(new long[] {3, 4, 8}, a.output().shape().toArray());
            assertArrayEquals(new long[] {3, 4, 6}, a.weights().shape().toArray());
            MultiheadAttention.Output b = seq.forward(q.transpose(0, 1), kv.transpose(0, 1), kv.transpose(0, 1));
            assertClose(a.output(), b.output().transpose(0, 1), "sequence first is batch first transposed");
            assertClose(a.weights(), b.weights(), "the weights are (N, L, S) either way");
            MultiheadAttention.Output one = first.forward(q.select(0, 1), kv.select(0, 1), kv.select(0, 1));
            assertClose(a.output().select(0, 1), one.output(), "an unbatched input is a batch of one");
            assertClose(a.weights().select(0, 1), one.weights(), "and so are its weights");
            Tensor perHead = first.forward(q, kv, kv, null, true, null, false, false).weights();
            assertArrayEquals(new long[] {3, 2, 4, 6}, perHead.shape().toArray());
            assertClose(a.weights(), perHead.mean(1), "the average of the heads' weights");
            assertClose(first.forward(q, q, q).output(), first.forward(q), "forward(x) is self-attention");
        }
    }

    @Test
    void masksFollowMultiheadAttentionsConvention() {
        try (Scope s = Scope.open(); MultiheadAttention mha = new MultiheadAttention(8, 2, 0, true, 8, 8, true, gen)) {
            Tensor x = Tensor.randn(gen, 2, 5, 8);
            Tensor causalBool = Attention.causalMask(5, 5, Device.CPU).logicalNot(); // true = not allowed
            Tensor causalFloat = TransformerEncoder.generateSquareSubsequentMask(5);
            MultiheadAttention.Output viaBool = mha.forward(x, x, x, null, true, causalBool, true, false);
            MultiheadAttention.Output viaFloat = mha.forward(x, x, x, null, true, causalFloat, true, false);
            MultiheadAttention.Output viaFlag = mha.forward(x, x, x, null, true, null, true, true);
            assertClose(viaBool.output(), viaFloat.output(), "bool true = banned is float -inf");
            assertClose(viaBool.output(), viaFlag.output(), "isCausal without a mask applies the causal mask");
            assertEquals(0.0, viaBool.weights().select(1, 0).narrow(-1, 1, 4).abs().sum().item(), "query 0 sees key 0 only");
            // a (N·H, L, S) mask with the same mask for every head equals the 2-D mask
            Tensor threeD = causalBool.unsqueeze(0).expand(4, 5, 5).contiguous();
            assertClose(viaBool.output(), mha.forward(x, x, x, null, false, threeD, true, false).output(), "3-D attn_mask");
            // padding: keys 3 and 4 of batch 1 are ignored
            Tensor pad = Tensor.of(new boolean[] {false, false, false, false, false, false, false, false, true, true}, 2, 5);
            MultiheadAttention.Output padded = mha.forward(x, x, x, pad, true, null, true, false);
            assertEquals(0.0, padded.weights().select(0, 1).narrow(-1, 3, 2).abs().sum().item());
            Tensor floatPad = Tensor.zeros(2, 5).maskedFill(pad, Double.NEGATIVE_INFINITY);
            assertClose(padded.output(), mha.forward(x, x, x, floatPad, false, null, true, false).output(), "float key padding mask");
            MultiheadAttention.Output both = mha.forward(x, x, x, pad, true, causalFloat, true, false);
            MultiheadAttention.Output bothBool = mha.forward(x, x, x, pad, true, causalBool, true, false);
            assertClose(both.output(), bothBool.output(), "bool and float masks merge");
        }
    }

    @Test
    void aQueryThatMayAttendToNothingGetsTheOutputBias() {
        try (Scope s = Scope.open(); MultiheadAttention mha = new MultiheadAttention(4, 2, 0, true, 4, 4, true, gen)) {
            try (dev.panamax.autograd.GradMode.Guard ignored = dev.panamax.autograd.GradMode.noGrad()) {
                mha.outProj().bias().copy_(Tensor.of(new float[] {1, 2, 3, 4}));
            }
            Tensor x = Tensor.randn(gen, 2, 3, 4);
            Tensor pad = Tensor.of(new boolean[] {false, false, true, true, true, true}, 2, 3);
            MultiheadAttention.Output r = mha.forward(x, x, x, pad, true, null, true, false);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(new float[] {1, 2, 3, 4}, r.output().select(0, 1).select(0, i).toFloatArray(), 1e-6f);
            }
            assertArrayEquals(new float[9], r.weights().select(0, 1).toFloatArray(), "zero weights, not NaN");
            r.output().sum().backward();
            for (Tensor p : mha.parameters()) {
                for (double g : p.grad().toDoubleArray()) {
                    assertTrue(Double.isFinite(g), "finite gradients");
                }
            }
        }
    }

    @Test
    void dropoutOnlyInTrainingAndGradientsReachEveryParameter() {
        try (Scope s = Scope.open(); MultiheadAttention mha = new MultiheadAttention(8, 2, 0.5, true, 6, 5, true, new Generator(9))) {
            Tensor q = Tensor.randn(gen, 2, 3, 8);
            Tensor k = Tensor.randn(gen, 2, 4, 6);
            Tensor v = Tensor.randn(gen, 2, 4, 5);
            Tensor a = mha.forward(q, k, v).output();
            Tensor b = mha.forward(q, k, v).output();
            assertFalse(Arrays.equals(a.toFloatArray(), b.toFloatArray()), "new dropout masks each call in training");
            a.sum().backward();
            for (Parameter p : mha.namedParameters()) {
                assertNotNull(p.tensor().grad(), p.name() + " gets a gradient");
            }
            mha.eval();
            assertArrayEquals(mha.forward(q, k, v).output().toFloatArray(), mha.forward(q, k, v).output().toFloatArray());
        }
    }

    @Test
    void transformerEncoderLayerHasPyTorchsSubmodules() {
        try (Scope s = Scope.open(); TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.1, "gelu", 1e-5, true, true)) {
            assertEquals(List.of("self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"),
                    List.copyOf(layer.children().keySet()));
            assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                    "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight",
                    "norm2.bias"), List.copyOf(layer.stateDict().keySet()));
            Tensor x = Tensor.randn(gen, 2, 5, 8);
            Tensor y = layer.forward(x);
            assertArrayEquals(new long[] {2, 5, 8}, y.shape().toArray());
            y.sum().backward();
            for (Parameter p : layer.namedParameters()) {
                assertNotNull(p.tensor().grad(), p.name() + " gets a gradient");
            }
            layer.eval();
            assertArrayEquals(layer.forward(x).toFloatArray(), layer.forward(x).toFloatArray(), "no dropout in evaluation");
            TransformerEncoder enc = new TransformerEncoder(() -> new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5, false, false), 3, null);
            assertEquals(3, enc.numLayers());
            assertTrue(enc.stateDict().keySet().stream().noneMatch(k -> k.startsWith("norm")), "no final norm");
            assertTrue(enc.stateDict().containsKey("layers.2.linear2.bias"));
            assertArrayEquals(new long[] {5, 2, 8}, enc.forward(x.transpose(0, 1)).shape().toArray());
            enc.close();
        }
    }

    @Test
    void sinusoidalPositionalEncodingIsTheFixedTable() {
        try (Scope s = Scope.open(); SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(6, 50, 0.1, true, gen)) {
            assertEquals(List.of("pe"), List.copyOf(pe.stateDict().keySet()), "a buffer");
            assertEquals(0, pe.parameters().size(), "not learned");
            for (int pos : new int[] {0, 1, 7, 49}) {
                for (int i = 0; i < 3; i++) {
                    double angle = pos / Math.pow(10000, 2.0 * i / 6);
                    assertEquals(Math.sin(angle), pe.pe().get(pos, 2 * i), 1e-6);
                    assertEquals(Math.cos(angle), pe.pe().get(pos, 2 * i + 1), 1e-6);
                }
            }
            pe.eval();
            Tensor x = Tensor.randn(gen, 2, 4, 6);
            assertClose(x.add(pe.pe().narrow(0, 0, 4)), pe.forward(x), "batch first adds the first L rows");
            Tensor unbatched = x.select(0, 0);
            assertClose(unbatched.add(pe.pe().narrow(0, 0, 4)), pe.forward(unbatched), "unbatched");
            try (SinusoidalPositionalEncoding seq = new SinusoidalPositionalEncoding(5, 10, 0, false, gen)) {
                Tensor xs = Tensor.randn(gen, 3, 2, 5);
                assertClose(xs.add(seq.pe().narrow(0, 0, 3).unsqueeze(1)), seq.forward(xs), "sequence first, odd d_model");
                assertEquals(Math.sin(2 / Math.pow(10000, 4.0 / 5)), seq.pe().get(2, 4), 1e-6);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pe.forward(Tensor.zeros(1, 51, 6)));
            assertMessage(e, "SinusoidalPositionalEncoding", "sequence length 51", "max_len 50");
            e = assertThrows(IllegalArgumentException.class, () -> pe.forward(Tensor.zeros(1, 5, 7)));
            assertMessage(e, "[1, 5, 7]");
        }
    }

    @Test
    void learnedPositionalEncodingLearnsTheRowsItUses() {
        try (Scope s = Scope.open(); LearnedPositionalEncoding pe = new LearnedPositionalEncoding(10, 4, 0, false, gen)) {
            assertEquals(List.of("weight"), List.copyOf(pe.stateDict().keySet()));
            Tensor x = Tensor.randn(gen, 3, 2, 4);
            Tensor y = pe.forward(x);
            assertClose(x.add(pe.weight().narrow(0, 0, 3).unsqueeze(1)), y, "sequence first");
            y.sum().backward();
            assertArrayEquals(new float[] {2, 2, 2, 2}, pe.weight().grad().select(0, 2).toFloatArray(), "two batch elements per row");
            assertEquals(0.0, pe.weight().grad().narrow(0, 3, 7).abs().sum().item(), "unused positions get no gradient");
            assertThrows(IllegalArgumentException.class, () -> pe.forward(Tensor.zeros(11, 1, 4)));
        }
    }

    @Test
    void badInputsNameTheArgumentsAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(10, 3));
        assertEquals("MultiheadAttention: embed_dim 10 must be divisible by num_heads 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(10, 4));
        assertMessage(e, "d_model 10", "nhead 4");
        e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2, 16, 0.1, "tanh", 1e-5, false, false));
        assertMessage(e, "activation", "tanh");
        e = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(8, 2, 1.5, false));
        assertMessage(e, "1.5");
        try (Scope s = Scope.open(); MultiheadAttention mha = new MultiheadAttention(8, 2, 0, true, 6, 8, true, gen)) {
            Tensor q = Tensor.zeros(2, 3, 8);
            Tensor k = Tensor.zeros(2, 4, 6);
            Tensor v = Tensor.zeros(2, 4, 8);
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(2, 3, 7), k, v));
            assertMessage(e, "MultiheadAttention(embed_dim=8, num_heads=2)", "query's last dim must be embed_dim 8", "query [2, 3, 7]");
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, Tensor.zeros(2, 4, 8), v));
            assertMessage(e, "key's last dim must be kdim 6", "key [2, 4, 8]");
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, k, Tensor.zeros(2, 5, 8)));
            assertMessage(e, "same sequence length", "key [2, 4, 6]", "value [2, 5, 8]");
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, Tensor.zeros(3, 4, 6), Tensor.zeros(3, 4, 8)));
            assertMessage(e, "same batch size", "query [2, 3, 8]", "key [3, 4, 6]");
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, Tensor.zeros(4, 6), Tensor.zeros(4, 8)));
            assertMessage(e, "all be 3-D (batched) or all 2-D", "key [4, 6]");
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, k, v, Tensor.zeros(DType.BOOL, 2, 3), true, null, true, false));
            assertMessage(e, "key_padding_mask must be (N, S) = (2, 4)", "[2, 3]");
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, k, v, null, true, Tensor.zeros(DType.BOOL, 4, 3), true, false));
            assertMessage(e, "2-D attn_mask must be (L, S) = (3, 4)", "[4, 3]");
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, k, v, null, true, Tensor.zeros(DType.BOOL, 2, 3, 4), true, false));
            assertMessage(e, "3-D attn_mask must be (N*num_heads, L, S) = (4, 3, 4)", "[2, 3, 4]");
            e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, k, v, null, true, Tensor.zeros(DType.INT64, 3, 4), true, false));
            assertMessage(e, "attn_mask must be bool or of the query's dtype float32", "int64");
        }
    }

    @Test
    void trainingStepsLeakNothing() {
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5, true, false, true, new Generator(5));
             MultiheadAttention cross = new MultiheadAttention(8, 2, 0.2, true, 6, 4, true, new Generator(6));
             SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(8, 20, 0.1, true, new Generator(7))) {
            Tensor x = Tensor.randn(gen, 2, 5, 8);
            Tensor k = Tensor.randn(gen, 2, 3, 6);
            Tensor v = Tensor.randn(gen, 2, 3, 4);
            Tensor pad = Tensor.of(new boolean[] {false, false, false, false, true, false, false, false, false, false}, 2, 5);
            Tensor crossPad = Tensor.of(new boolean[] {false, true, false, true, true, true}, 2, 3);
            MemoryStats before = Leaks.baseline();
            for (int i = 0; i < 4; i++) {
                try (Tensor withPos = pe.forward(x); Tensor h = layer.forward(withPos, null, pad, i % 2 == 0);
                     MultiheadAttention.Output r = cross.forward(h, k, v, crossPad, true, null, i % 2 == 1, false);
                     Tensor s1 = r.output().sum(); Tensor s2 = r.weights().sum(); Tensor loss = s1.add(s2)) {
                    loss.backward();
                }
                layer.zeroGrad();
                cross.zeroGrad();
            }
            layer.eval();
            try (Tensor mask = TransformerEncoder.generateSquareSubsequentMask(5); Tensor y = layer.forward(x, mask, null, true)) {
                assertTrue(y.requiresGrad());
            }
            Leaks.assertNoneSince(before, "attention layers");
            for (Tensor t : new Tensor[] {x, k, v, pad, crossPad}) {
                t.close();
            }
        }
    }
}
