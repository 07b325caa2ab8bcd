package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradCheck;
import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Recurrent layers: finite-difference gradient checks, dropout between layers, initialisation, argument errors and lifetimes. */
class RecurrentLayerTest {
    private final Generator gen = new Generator(17);

    // ---------------------------------------------------------------- gradient checks

    /** GradCheck (float64 copies of every input, h0, c0 and weight) through the whole stack, lengths included. */
    private void gradCheck(Recurrence.Mode mode, long proj, boolean batchFirst) {
        try (Scope s = Scope.open()) {
            Recurrence.Config cfg = new Recurrence.Config(mode, 2, 3, proj, 2, true, batchFirst, 0, true);
            boolean lstm = mode == Recurrence.Mode.LSTM;
            long steps = 3;
            long batch = 2;
            long[] lengths = {3, 1};
            List<Tensor> inputs = new ArrayList<>();
            inputs.add(batchFirst ? Tensor.randn(gen, batch, steps, 2) : Tensor.randn(gen, steps, batch, 2));
            inputs.add(Tensor.randn(gen, 4, batch, cfg.outSize()));
            if (lstm) {
                inputs.add(Tensor.randn(gen, 4, batch, 3));
            }
            try (RNNBase layer = RecurrentParityTest.build(mode, 2, 3, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true)
                    .batchFirst(batchFirst).projSize(proj), gen)) {
                layer.flatWeights().forEach(w -> inputs.add(w.detach()));
            }
            int first = lstm ? 3 : 2;
            Function<Tensor[], Tensor> fn = xs -> {
                List<Tensor> weights = Arrays.asList(xs).subList(first, xs.length);
                try (RNNOutput r = Recurrence.run(cfg, xs[0], xs[1], lstm ? xs[2] : null, lengths, weights, false, null, null);
                     Tensor o = r.output().flatten(); Tensor h = r.hN().flatten(); Tensor c = lstm ? r.cN().flatten() : null) {
                    return Tensor.cat(lstm ? List.of(o, h, c) : List.of(o, h), 0);
                }
            };
            GradCheck.Report report = GradCheck.check(fn, inputs.toArray(Tensor[]::new));
            assertTrue(report.elements() > 100, "checked " + report.elements() + " gradient elements");
        }
    }

    @Test
    void gradCheckLstm() {
        gradCheck(Recurrence.Mode.LSTM, 0, false);
    }

    @Test
    void gradCheckProjectedLstmBatchFirst() {
        gradCheck(Recurrence.Mode.LSTM, 2, true);
    }

    @Test
    void gradCheckGru() {
        gradCheck(Recurrence.Mode.GRU, 0, true);
    }

    @Test
    void gradCheckRnn() {
        gradCheck(Recurrence.Mode.RNN_TANH, 0, false);
    }

    @Test
    void gradCheckCells() {
        for (Recurrence.Mode mode : new Recurrence.Mode[] {Recurrence.Mode.RNN_TANH, Recurrence.Mode.LSTM, Recurrence.Mode.GRU}) {
            try (Scope s = Scope.open()) {
                boolean lstm = mode == Recurrence.Mode.LSTM;
                Tensor wIh = Tensor.randn(gen, mode.gates * 3L, 2);
                Tensor wHh = Tensor.randn(gen, mode.gates * 3L, 3);
                Tensor bIh = Tensor.randn(gen, mode.gates * 3L);
                Tensor bHh = Tensor.randn(gen, mode.gates * 3L);
                Tensor x = Tensor.randn(gen, 2, 2);
                Tensor h = Tensor.randn(gen, 2, 3);
                Tensor c = Tensor.randn(gen, 2, 3);
                GradCheck.check(xs -> {
                    Tensor[] r = Recurrence.cell(mode, xs[0], xs[1], lstm ? xs[2] : null, xs[3], xs[4], xs[5], xs[6]);
                    if (!lstm) {
                        return r[0];
                    }
                    try (Tensor hr = r[0]; Tensor cr = r[1]) {
                        return Tensor.cat(List.of(hr, cr), 1);
                    }
                }, x, h, c, wIh, wHh, bIh, bHh);
            }
        }
    }

    // ---------------------------------------------------------------- dropout and init

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 6, 2, 3);
            RecurrentOptions o = RecurrentOptions.DEFAULT.numLayers(2).dropout(0.5);
            try (LSTM a = new LSTM(3, 4, o, new Generator(1)); LSTM b = new LSTM(3, 4, o, new Generator(1));
                 LSTM plain = new LSTM(3, 4, o.dropout(0), new Generator(1))) {
                float[] first = a.forward(x).toFloatArray();
                assertArrayEquals(first, b.forward(x).toFloatArray(), "the same seeded generator gives the same masks");
                float[] second = a.forward(x).toFloatArray();
                assertFalse(Arrays.equals(first, second), "each forward draws new masks");
                float[] noDropout = plain.forward(x).toFloatArray();
                assertFalse(Arrays.equals(first, noDropout), "training mode drops");
                a.eval();
                assertArrayEquals(noDropout, a.forward(x).toFloatArray(), "evaluation mode is deterministic and drops nothing");
                a.train();
                Tensor loss = a.forward(x).sum();
                loss.backward();
                assertTrue(a.flatWeights().stream().allMatch(w -> w.grad() != null), "gradients reach every parameter through dropout");
            }
            try (GRU single = withStderr(() -> new GRU(3, 4, RecurrentOptions.DEFAULT.dropout(0.9), new Generator(2)),
                    "GRU: dropout option adds dropout after all but last recurrent layer", "dropout=0.9 and num_layers=1");
                 GRU reference = new GRU(3, 4, RecurrentOptions.DEFAULT, new Generator(2))) {
                assertArrayEquals(reference.forward(x).toFloatArray(), single.forward(x).toFloatArray(),
                        "no dropout after the last layer, so one layer has none (PyTorch warns, and so do we)");
            }
        }
    }

    /** What {@code make} returns, checking that it logged (slf4j-simple writes to System.err) a line holding every part. */
    private static <T> T withStderr(Supplier<T> make, String... parts) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        T made;
        try (PrintStream err = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setErr(err);
            made = make.get();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        for (String part : parts) {
            assertTrue(log.contains(part), "log \"" + log + "\" holds " + part);
        }
        return made;
    }

    @Test
    void parametersHavePyTorchNamesShapesAndInit() {
        try (Scope s = Scope.open()) {
            try (LSTM lstm = new LSTM(3, 8, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true).projSize(2), gen);
                 GRUCell cell = new GRUCell(5, 16)) {
                List<String> names = lstm.namedParameters().stream().map(p -> p.name() + Arrays.toString(p.tensor().shape().toArray())).toList();
                assertEquals(List.of("weight_ih_l0[32, 3]", "weight_hh_l0[32, 2]", "bias_ih_l0[32]", "bias_hh_l0[32]", "weight_hr_l0[2, 8]",
                        "weight_ih_l0_reverse[32, 3]", "weight_hh_l0_reverse[32, 2]", "bias_ih_l0_reverse[32]", "bias_hh_l0_reverse[32]",
                        "weight_hr_l0_reverse[2, 8]",
                        "weight_ih_l1[32, 4]", "weight_hh_l1[32, 2]", "bias_ih_l1[32]", "bias_hh_l1[32]", "weight_hr_l1[2, 8]",
                        "weight_ih_l1_reverse[32, 4]", "weight_hh_l1_reverse[32, 2]", "bias_ih_l1_reverse[32]", "bias_hh_l1_reverse[32]",
                        "weight_hr_l1_reverse[2, 8]"), names);
                double bound = 1 / Math.sqrt(8);
                for (Tensor p : lstm.parameters()) {
                    assertEquals(DType.FLOAT32, p.dtype());
                    assertTrue(p.abs().max().item() <= bound, p.name() + " within ±1/√hidden");
                    assertTrue(p.abs().max().item() > bound / 2, p.name() + " spread over the range");
                }
                for (Tensor p : cell.parameters()) {
                    assertTrue(p.abs().max().item() <= 0.25, p.name() + " within ±1/√16");
                }
                assertEquals(List.of("weight_ih[48, 5]", "weight_hh[48, 16]", "bias_ih[48]", "bias_hh[48]"),
                        cell.namedParameters().stream().map(p -> p.name() + Arrays.toString(p.tensor().shape().toArray())).toList());
            }
        }
    }

    // ---------------------------------------------------------------- bad inputs

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message \"" + e.getMessage() + "\" names " + part);
        }
    }

    @Test
    void badInputsNameTheArgumentAndShapes() {
        try (LSTM lstm = new LSTM(3, 4, RecurrentOptions.DEFAULT.numLayers(2), gen); GRU gru = new GRU(3, 4);
             LSTMCell cell = new LSTMCell(3, 4); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 5, 2, 3);
            assertMessage(() -> lstm.forward(Tensor.randn(gen, 5, 2, 7)), "LSTM", "input_size 3", "got 7", "[5, 2, 7]");
            assertMessage(() -> lstm.forward(Tensor.randn(gen, 5, 2, 3, 1)), "LSTM", "rank", "[5, 2, 3, 1]");
            assertMessage(() -> lstm.forward(x, Tensor.zeros(1, 2, 4), null), "LSTM", "h0", "[2, 2, 4]", "got [1, 2, 4]");
            assertMessage(() -> lstm.forward(x, null, Tensor.zeros(2, 3, 4)), "LSTM", "c0", "[2, 2, 4]", "got [2, 3, 4]");
            assertMessage(() -> gru.forward(x, Tensor.zeros(1, 2, 5)), "GRU", "h0", "[1, 2, 4]", "got [1, 2, 5]");
            assertMessage(() -> lstm.forward(x, null, null, new long[] {5, 0}), "LSTM", "lengths[1] = 0", "1..5", "[5, 2, 3]");
            assertMessage(() -> gru.forward(x, null, new long[] {6, 1}), "GRU", "lengths[0] = 6", "1..5");
            assertMessage(() -> gru.forward(x, null, new long[] {5, 3, 1}), "GRU", "lengths", "2", "[5, 2, 3]", "got 3");
            assertMessage(() -> gru.forward(Tensor.zeros(DType.FLOAT64, 5, 2, 3)), "GRU", "float64", "float32");
            assertMessage(() -> cell.forward(Tensor.randn(gen, 2, 5)), "LSTMCell", "input_size 3", "got 5", "[2, 5]");
            assertMessage(() -> cell.forward(Tensor.randn(gen, 2, 3), Tensor.zeros(3, 4), null), "LSTMCell", "hx", "[2, 4]", "got [3, 4]");
            assertMessage(() -> cell.forward(Tensor.randn(gen, 2, 3), null, Tensor.zeros(4)), "LSTMCell", "cx", "[2, 4]", "got [4]");
            // states of another dtype, and empty sequences: PyTorch's messages name neither the state nor the length
            assertMessage(() -> lstm.forward(x, Tensor.zeros(DType.FLOAT64, 2, 2, 4), null), "LSTM", "h0", "float64[2, 2, 4]", "float32[5, 2, 3]");
            assertMessage(() -> lstm.forward(x, null, Tensor.zeros(DType.FLOAT64, 2, 2, 4)), "LSTM", "c0", "float64[2, 2, 4]", "float32[5, 2, 3]");
            assertMessage(() -> cell.forward(Tensor.randn(gen, 2, 3), Tensor.zeros(DType.FLOAT64, 2, 4), null), "LSTMCell", "hx", "float64[2, 4]");
            assertMessage(() -> gru.forward(Tensor.zeros(0, 2, 3)), "GRU", "sequence length", "[0, 2, 3]");
            assertMessage(() -> gru.forward(Tensor.zeros(0, 3)), "GRU", "sequence length", "[0, 3]");
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertMessage(() -> new GRU(3, 4, RecurrentOptions.DEFAULT.projSize(2), gen), "GRU", "proj_size", "only supported for LSTM");
        assertMessage(() -> new LSTM(3, 4, RecurrentOptions.DEFAULT.projSize(4), gen), "LSTM", "proj_size 4", "hidden_size 4");
        assertMessage(() -> new RNN(3, 4, RecurrentOptions.DEFAULT.nonlinearity("sigmoid"), gen), "RNN", "sigmoid");
        assertMessage(() -> new LSTM(3, 4, RecurrentOptions.DEFAULT.nonlinearity("relu"), gen), "LSTM", "nonlinearity");
        assertMessage(() -> new LSTM(3, 4, RecurrentOptions.DEFAULT.dropout(1.5), gen), "LSTM", "dropout", "1.5");
        assertMessage(() -> new GRU(3, 4, RecurrentOptions.DEFAULT.numLayers(0), gen), "GRU", "num_layers", "0");
        assertMessage(() -> new LSTM(0, 4), "LSTM", "input_size", "0");
        assertMessage(() -> new RNNCell(3, 4, true, "gelu", gen), "RNNCell", "gelu");
        assertMessage(() -> new GRUCell(3, -1), "GRUCell", "hidden_size", "-1");
    }

    // ---------------------------------------------------------------- lifetimes

    @Test
    void noLeakOverManyTrainingAndInferenceSteps() {
        MemoryStats before = Leaks.baseline();
        try (LSTM lstm = new LSTM(3, 4, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true).dropout(0.2).projSize(2), gen);
             GRU gru = new GRU(3, 4, RecurrentOptions.DEFAULT.batchFirst(true), gen); LSTMCell cell = new LSTMCell(3, 4, true, gen);
             Tensor x = Tensor.randn(gen, 7, 3, 3); Tensor xb = Tensor.randn(gen, 3, 7, 3)) {
            long[] lengths = {7, 2, 5};
            for (int i = 0; i < 20; i++) {
                // training step: backward frees the graph
                try (RNNOutput r = lstm.forward(x, null, null, lengths); Tensor a = r.output().sum(); Tensor b = r.hN().sum();
                     Tensor c = r.cN().sum(); Tensor ab = a.add(b); Tensor loss = ab.add(c)) {
                    loss.backward();
                }
                try (Tensor y = gru.forward(xb); Tensor loss = y.sum()) {
                    loss.backward();
                }
                // forward only: closing the results frees the graph
                try (RNNOutput r = gru.forward(xb, null, lengths)) {
                    assertEquals(3, r.output().size(0));
                }
                try (Tensor x0 = x.select(0, 0); Tensor x1 = x.select(0, 1); LSTMCell.State st = cell.forward(x0, null, null);
                     LSTMCell.State st2 = cell.forward(x1, st.h(), st.c());
                     Tensor loss = st2.h().sum()) {
                    loss.backward();
                }
                // inference
                try (GradMode.Guard g = GradMode.noGrad(); RNNOutput r = lstm.forward(x, null, null, lengths)) {
                    assertFalse(r.output().requiresGrad());
                }
                lstm.zeroGrad();
                gru.zeroGrad();
                cell.zeroGrad();
            }
        }
        Leaks.assertNoneSince(before, "20 steps of LSTM, GRU and LSTMCell");
    }

    @Test
    void inferenceHoldsOnlyTheStateBetweenSteps() {
        try (GRU gru = new GRU(8, 16, RecurrentOptions.DEFAULT.bidirectional(true), gen); Tensor shortSeq = Tensor.randn(gen, 10, 4, 8);
             Tensor longSeq = Tensor.randn(gen, 400, 4, 8); GradMode.Guard g = GradMode.noGrad()) {
            MemoryStats before = Leaks.baseline();
            try (Tensor y = gru.forward(shortSeq)) {
                assertEquals(10, y.size(0));
            }
            try (Tensor y = gru.forward(longSeq)) {
                // the result itself, nothing of the 400 steps' temporaries
                long live = MemoryStats.now().liveTensors() - before.liveTensors();
                assertTrue(live <= 2, "tensors alive after a 400-step forward without grad: " + live);
            }
            Leaks.assertNoneSince(before, "inference");
        }
    }
}
