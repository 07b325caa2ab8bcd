package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.data.io.Safetensors;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 2.13's own results: state dicts of RNN, LSTM (also with projections) and GRU stacks load
 * unchanged, and outputs, h_n and c_n match PyTorch's, for full-length and packed (unsorted
 * variable-length) batches. The fixture and the script that wrote it are in
 * src/test/resources/dev/panamax/nn (make-rnn-fixture.py); no Python runs here.
 */
class RecurrentFixtureTest {
    private static final double TOLERANCE = 1e-5;
    private static Safetensors.Contents fixture;

    @BeforeAll
    static void load() throws Exception {
        fixture = Safetensors.read(Path.of(RecurrentFixtureTest.class.getResource("/dev/panamax/nn/rnn-fixture.safetensors").toURI()));
    }

    @AfterAll
    static void free() {
        fixture.close();
    }

    private static Tensor get(String key) {
        Tensor t = fixture.tensors().get(key);
        assertTrue(t != null, "fixture has " + key);
        return t;
    }

    private static Map<String, Tensor> stateDict(String model) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        fixture.tensors().forEach((k, v) -> {
            if (k.startsWith(model + "/")) {
                sd.put(k.substring(model.length() + 1), v);
            }
        });
        return sd;
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape().toArray(), actual.shape().toArray(), what + " shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], TOLERANCE, what + " at flat index " + i);
        }
    }

    private static void check(String name, RNNBase model, boolean lstm) {
        try (model; Scope s = Scope.open()) {
            assertEquals(stateDict(name).keySet(), model.stateDict().keySet(), "PyTorch's parameter names, in its order");
            model.loadStateDict(stateDict(name), true);
            model.eval();
            Tensor x = get(name + ":input");
            Tensor h0 = get(name + ":h0");
            Tensor c0 = lstm ? get(name + ":c0") : null;
            RNNOutput full = model.run(x, h0, c0, null);
            assertClose(get(name + ":output"), full.output(), name + " output");
            assertClose(get(name + ":h_n"), full.hN(), name + " h_n");
            if (lstm) {
                assertClose(get(name + ":c_n"), full.cN(), name + " c_n");
            }
            long[] lengths = get("lengths").toLongArray();
            RNNOutput packed = model.run(x, h0, c0, lengths);
            assertClose(get(name + ":packed_output"), packed.output(), name + " packed output");
            assertClose(get(name + ":packed_h_n"), packed.hN(), name + " packed h_n");
            if (lstm) {
                assertClose(get(name + ":packed_c_n"), packed.cN(), name + " packed c_n");
            }
        }
    }

    @Test
    void lstmTwoLayersBidirectional() {
        check("lstm", new LSTM(3, 5, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true), new Generator(1)), true);
    }

    @Test
    void gruTwoLayersBidirectionalBatchFirst() {
        check("gru", new GRU(3, 4, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true).batchFirst(true), new Generator(1)), false);
    }

    @Test
    void lstmWithProjections() {
        check("lstm_proj", new LSTM(3, 6, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true).projSize(2), new Generator(1)), true);
    }

    /**
     * The backward of a packed, bidirectional, two-layer LSTM with projections and given h0 and c0:
     * short sequences' final states (the forward direction's at their last valid step, the reverse
     * direction's at step 0) and their zero padding must route the gradients to the input, the
     * states and every parameter exactly as PyTorch's packed run does.
     */
    @Test
    void packedProjectedLstmGradients() {
        String name = "lstm_proj";
        try (LSTM model = new LSTM(3, 6, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true).projSize(2), new Generator(1));
             Scope s = Scope.open()) {
            model.loadStateDict(stateDict(name), true);
            model.eval();
            Tensor x = get(name + ":input").alias().requiresGrad(true);
            Tensor h0 = get(name + ":h0").alias().requiresGrad(true);
            Tensor c0 = get(name + ":c0").alias().requiresGrad(true);
            RNNOutput r = model.run(x, h0, c0, get("lengths").toLongArray());
            Tensor loss = r.output().mul(get(name + ":packed_r_output")).sum()
                    .add(r.hN().mul(get(name + ":packed_r_h_n")).sum())
                    .add(r.cN().mul(get(name + ":packed_r_c_n")).sum());
            loss.backward();
            assertClose(get(name + ":packed_grad.input"), x.grad(), "input's gradient");
            assertClose(get(name + ":packed_grad.h0"), h0.grad(), "h0's gradient");
            assertClose(get(name + ":packed_grad.c0"), c0.grad(), "c0's gradient");
            for (Parameter p : model.namedParameters()) {
                assertClose(get(name + ":packed_grad." + p.name()), p.tensor().grad(), p.name() + "'s gradient");
            }
        }
    }

    @Test
    void reluRnnWithoutBias() {
        check("rnn_relu", new RNN(3, 4, RecurrentOptions.DEFAULT.numLayers(2).nonlinearity("relu").bias(false), new Generator(1)), false);
    }
}
