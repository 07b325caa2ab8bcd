package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.panamax.data.io.Safetensors;
import dev.panamax.ops.Attention;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MultiheadAttention, TransformerEncoderLayer (post- and pre-norm) and TransformerEncoder against
 * real PyTorch: {@code attention.safetensors}, written by {@code make-attention-fixture.py}
 * beside it, holds PyTorch's state dicts, inputs and outputs (eval mode). The modules load the
 * state dicts strictly and must reproduce the outputs to 1e-5.
 */
class AttentionFixtureTest {
    private static final double TOL = 1e-5;
    private static Safetensors.Contents fixture;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        fixture = Safetensors.read(Path.of(AttentionFixtureTest.class.getResource("/dev/panamax/nn/attention.safetensors").toURI()));
    }

    @AfterAll
    static void free() {
        fixture.close();
    }

    private static Tensor get(String key) {
        Tensor t = fixture.tensors().get(key);
        if (t == null) {
            throw new IllegalArgumentException("the fixture has no tensor " + key);
        }
        return t;
    }

    private static Map<String, Tensor> state(String caseName) {
        String prefix = caseName + ".state.";
        Map<String, Tensor> s = new LinkedHashMap<>();
        fixture.tensors().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                s.put(k.substring(prefix.length()), v);
            }
        });
        return s;
    }

    private static void assertMatches(String what, Tensor expected, Tensor actual) {
        OpCheck.assertClose(what, Ref.of(expected), Ref.of(actual), TOL, TOL);
    }

    private static <M extends Module> M loaded(String caseName, M module) {
        assertEquals(List.copyOf(state(caseName).keySet()).stream().sorted().toList(),
                List.copyOf(module.stateDict().keySet()).stream().sorted().toList(), caseName + ": PyTorch's state dict keys");
        module.loadStateDict(state(caseName), true);
        module.eval();
        return module;
    }

    @Test
    void multiheadAttentionBatchFirstWithKeyPaddingAndFloatMask() {
        try (Scope s = Scope.open(); MultiheadAttention mha = loaded("mha", new MultiheadAttention(8, 2, 0.1, true, 8, 8, true, new Generator(1)))) {
            Tensor q = get("mha.query");
            MultiheadAttention.Output r = mha.forward(q, get("mha.key"), get("mha.value"), get("mha.key_padding_mask"), true,
                    get("mha.attn_mask"), true, false);
            assertMatches("mha output", get("mha.output"), r.output());
            assertMatches("mha weights (head average)", get("mha.weights"), r.weights());
            MultiheadAttention.Output perHead = mha.forward(q, get("mha.key"), get("mha.value"), get("mha.key_padding_mask"), true,
                    get("mha.attn_mask"), false, false);
            assertMatches("mha weights per head", get("mha.weights_per_head"), perHead.weights());
            assertMatches("mha self-attention", get("mha.self_output"), mha.forward(q));
            MultiheadAttention.Output noWeights = mha.forward(q, q, q, null, false, null, true, false);
            assertNull(noWeights.weights());
        }
    }

    /** The gradients of sum(output · projection) that PyTorch computed, for every parameter and the given inputs. */
    private static void assertGradients(String caseName, Module module, Tensor output, Map<String, Tensor> inputs) {
        try (Tensor weighted = output.mul(get(caseName + ".projection")); Tensor loss = weighted.sum()) {
            loss.backward();
        }
        for (Parameter p : module.namedParameters()) {
            assertMatches(caseName + ": gradient of " + p.name(), get(caseName + ".grad." + p.name()), p.tensor().grad());
        }
        inputs.forEach((name, t) -> assertMatches(caseName + ": gradient of " + name, get(caseName + ".grad." + name), t.grad()));
    }

    /**
     * scaledDotProductAttention's corners against PyTorch's own: causal with L &lt; S and L &gt; S
     * (top-left aligned) and an explicit scale, and rows whose every key a broadcast bool or float
     * mask excludes, which must give zeros, never NaN, forward and backward (the float mask's
     * gradient included).
     */
    @Test
    void scaledDotProductAttentionCornersMatchPyTorch() {
        record Case(String name, boolean causal, Double scale) {}
        for (Case c : List.of(new Case("sdpa_causal_wide", true, 0.7), new Case("sdpa_causal_tall", true, null),
                new Case("sdpa_dead_bool", false, null), new Case("sdpa_dead_float", false, null))) {
            try (Scope s = Scope.open()) {
                Map<String, Tensor> leaves = new LinkedHashMap<>();
                for (String n : new String[] {"query", "key", "value", "attn_mask"}) {
                    Tensor t = fixture.tensors().get(c.name() + "." + n);
                    if (t != null) {
                        leaves.put(n, t.dtype().isFloatingPoint() ? t.detach().requiresGrad(true) : t);
                    }
                }
                Tensor y = Attention.scaledDotProductAttention(leaves.get("query"), leaves.get("key"), leaves.get("value"),
                        leaves.get("attn_mask"), 0, c.causal(), c.scale(), null);
                assertMatches(c.name() + " output", get(c.name() + ".output"), y);
                y.mul(get(c.name() + ".projection")).sum().backward();
                leaves.forEach((n, t) -> {
                    if (t.requiresGrad()) {
                        assertMatches(c.name() + ": gradient of " + n, get(c.name() + ".grad." + n), t.grad());
                    }
                });
            }
        }
    }

    @Test
    void multiheadAttentionGradientsMatchPyTorch() {
        try (Scope s = Scope.open(); MultiheadAttention mha = loaded("mha", new MultiheadAttention(8, 2, 0.1, true, 8, 8, true, new Generator(1)))) {
            Tensor q = get("mha.query").detach().requiresGrad(true);
            Tensor k = get("mha.key").detach().requiresGrad(true);
            Tensor v = get("mha.value").detach().requiresGrad(true);
            Tensor out = mha.forward(q, k, v, get("mha.key_padding_mask"), false, get("mha.attn_mask"), true, false).output();
            assertGradients("mha", mha, out, Map.of("query", q, "key", k, "value", v));
        }
    }

    @Test
    void transformerEncoderLayerGradientsMatchPyTorch() {
        for (String c : new String[] {"post", "pre"}) {
            boolean normFirst = c.equals("pre");
            try (Scope s = Scope.open(); TransformerEncoderLayer layer = loaded(c, new TransformerEncoderLayer(8, 2, 16, 0.1,
                    normFirst ? "gelu" : "relu", 1e-5, true, normFirst, true, new Generator(2)))) {
                Tensor src = get(c + ".src").detach().requiresGrad(true);
                Tensor y = layer.forward(src, null, get(c + ".src_key_padding_mask"), false);
                assertGradients(c, layer, y, Map.of("src", src));
            }
        }
    }

    @Test
    void multiheadAttentionWithKdimVdimSequenceFirstAndBoolMask() {
        try (Scope s = Scope.open(); MultiheadAttention mha = loaded("mha_kv", new MultiheadAttention(8, 4, 0, true, 6, 3, false, new Generator(1)))) {
            MultiheadAttention.Output r = mha.forward(get("mha_kv.query"), get("mha_kv.key"), get("mha_kv.value"),
                    get("mha_kv.key_padding_mask"), true, get("mha_kv.attn_mask"), true, false);
            assertMatches("mha_kv output", get("mha_kv.output"), r.output());
            assertMatches("mha_kv weights", get("mha_kv.weights"), r.weights());
        }
    }

    @Test
    void transformerEncoderLayerPostNormAndPreNorm() {
        for (String c : new String[] {"post", "pre"}) {
            boolean normFirst = c.equals("pre");
            try (Scope s = Scope.open(); TransformerEncoderLayer layer = loaded(c, new TransformerEncoderLayer(8, 2, 16, 0.1,
                    normFirst ? "gelu" : "relu", 1e-5, true, normFirst, true, new Generator(2)))) {
                Tensor y = layer.forward(get(c + ".src"), null, get(c + ".src_key_padding_mask"), false);
                assertMatches("TransformerEncoderLayer " + c + "-norm", get(c + ".output"), y);
            }
        }
    }

    @Test
    void transformerEncoderWithFinalNormAndCausalMask() {
        Generator gen = new Generator(3);
        try (Scope s = Scope.open();
             TransformerEncoder enc = loaded("encoder", new TransformerEncoder(
                     () -> new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5, false, false, true, gen), 2, new LayerNorm(8)))) {
            assertMatches("generateSquareSubsequentMask", get("encoder.mask"), TransformerEncoder.generateSquareSubsequentMask(5));
            assertMatches("TransformerEncoder", get("encoder.output"), enc.forward(get("encoder.src"), get("encoder.mask"), null, true));
            assertMatches("TransformerEncoder, isCausal without a mask", get("encoder.output"), enc.forward(get("encoder.src"), null, null, true));
        }
    }
}
