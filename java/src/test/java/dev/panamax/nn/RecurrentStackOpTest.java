package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradMode;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.ops.RecurrentStack;
import dev.panamax.ops.RecurrentWeightSpace;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Concurrently;
import dev.panamax.testing.Leaks;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RecurrentStack op without a GPU: on the CPU, through {@link ReferenceFusedRecurrence} (the
 * fused contract computed by the double-precision reference, with a weight space laid out unlike
 * the parameters), so what is tested is the op's own plumbing: packing the weight space, the
 * time-major transposes, where y, h_n and c_n sit in its result, the slicing of their gradients,
 * the cutting of the weight gradients back into each parameter, and the arguments it refuses.
 */
class RecurrentStackOpTest {
    static Stream<Arguments> cases() {
        return FusedStackCheck.cases();
    }

    @ParameterizedTest(name = "{0} layers={1} bidirectional={2} batchFirst={3} lengths={4} bias={5} proj={6} states={7}")
    @MethodSource("cases")
    void opMatchesTheReference(Recurrence.Mode mode, int layers, boolean bi, boolean batchFirst, boolean withLengths, boolean bias, int proj,
                               boolean states) {
        ReferenceFusedRecurrence fused = new ReferenceFusedRecurrence();
        FusedStackCheck.check(Device.CPU, mode, layers, bi, batchFirst, withLengths, bias, proj, states,
                (cfg, x, h0, c0, lengths, weights, space) -> Recurrence.fused(cfg, fused, x, h0, c0, lengths, weights, space));
    }

    @Test
    void inferenceAsksForNoGradientAndReusesTheWeightSpace() {
        Generator gen = new Generator(5);
        ReferenceFusedRecurrence fused = new ReferenceFusedRecurrence();
        try (GRU gru = new GRU(3, 4, RecurrentOptions.DEFAULT.numLayers(2), gen); Scope s = Scope.open();
             RecurrentWeightSpace space = new RecurrentWeightSpace(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor x = Tensor.randn(gen, 5, 2, 3);
            RNNOutput a = Recurrence.fused(gru.config(), fused, x, null, null, null, gru.flatWeights(), space);
            RNNOutput b = Recurrence.fused(gru.config(), fused, x, null, null, null, gru.flatWeights(), space);
            assertNull(a.output().gradFn(), "no graph in inference");
            assertNull(a.cN(), "a GRU has no c_n");
            assertEquals(2, fused.forwards);
            assertEquals(1, space.refills(), "one fill for two calls");
            assertEquals(java.util.Arrays.toString(a.hN().toFloatArray()), java.util.Arrays.toString(b.hN().toFloatArray()));
        }
    }

    @Test
    void movingTheLayerDropsItsWeightSpace() {
        Generator gen = new Generator(7);
        ReferenceFusedRecurrence fused = new ReferenceFusedRecurrence();
        GRU gru = new GRU(3, 4, RecurrentOptions.DEFAULT, gen);
        try (Sequential model = new Sequential(gru); Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor x = Tensor.randn(gen, 5, 2, 3);
            Recurrence.fused(gru.config(), fused, x, null, null, null, gru.flatWeights(), gru.weightSpace());
            Recurrence.fused(gru.config(), fused, x, null, null, null, gru.flatWeights(), gru.weightSpace());
            assertEquals(1, gru.weightSpace().refills(), "kept between calls");
            model.to(Device.CPU); // through the parent: the layer hears of the move
            Recurrence.fused(gru.config(), fused, x, null, null, null, gru.flatWeights(), gru.weightSpace());
            assertEquals(2, gru.weightSpace().refills(), "laid out again after the move");
        }
    }

    @Test
    void trainingStepsLeaveNothingBehind() {
        ReferenceFusedRecurrence fused = new ReferenceFusedRecurrence();
        Generator gen = new Generator(6);
        try (LSTM lstm = new LSTM(3, 4, RecurrentOptions.DEFAULT.numLayers(2).projSize(2), gen); RecurrentWeightSpace space = new RecurrentWeightSpace()) {
            MemoryStats before = null;
            for (int step = 0; step < 3; step++) {
                if (step == 1) {
                    before = Leaks.baseline(); // the first step laid out the space
                }
                try (Scope s = Scope.open()) {
                    Tensor x = Tensor.randn(gen, 5, 2, 3).requiresGrad(true);
                    RNNOutput r = Recurrence.fused(lstm.config(), fused, x, null, null, new long[] {5, 3}, lstm.flatWeights(), space);
                    r.output().sum().add(r.hN().sum()).add(r.cN().sum()).backward();
                }
                lstm.zeroGrad();
            }
            Leaks.assertNoneSince(before, "fused training steps");
            assertEquals(1, space.refills());
        }
    }

    /**
     * One layer's weight space shared by threads that run it (recording or not) while another reads
     * its parameters through ops (a kernel hand-out counts as a possible change, so the space is
     * laid out again): no call may see its space overwritten or closed under it.
     */
    @Test
    void threadsSharingALayerEachSeeTheirOwnWeights() throws Exception {
        Generator gen = new Generator(8);
        try (LSTM lstm = new LSTM(3, 4, RecurrentOptions.DEFAULT.numLayers(2), gen)) {
            lstm.eval();
            int threads = 4;
            float[][] alone = new float[threads][];
            double[] sums = new double[lstm.flatWeights().size()];
            for (int t = 0; t < threads; t++) {
                alone[t] = fusedOutput(lstm, t);
            }
            for (int i = 0; i < sums.length; i++) {
                sums[i] = sum(lstm.flatWeights().get(i));
            }
            Concurrently.run(threads, 300, (t, round) -> {
                if (t == threads - 1) {
                    for (int i = 0; i < sums.length; i++) {
                        assertEquals(sums[i], sum(lstm.flatWeights().get(i)), "parameter " + i);
                    }
                    return;
                }
                try (GradMode.Guard mode = GradMode.set(t == 0)) {
                    assertArrayEquals(alone[t], fusedOutput(lstm, t), "thread " + t + ", round " + round);
                }
            });
        }
    }

    /** The layer's output for thread t's own input, through the stand-in and the layer's weight space. */
    private static float[] fusedOutput(LSTM lstm, int t) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(80 + t), 4 + t, 2, 3);
            RNNOutput r = Recurrence.fused(lstm.config(), new ReferenceFusedRecurrence(), x, null, null, null, lstm.flatWeights(),
                    lstm.weightSpace());
            return r.output().toFloatArray();
        }
    }

    private static double sum(Tensor p) {
        try (Tensor s = p.sum()) {
            return s.item();
        }
    }

    @Test
    void badArgumentsAreNamedWithTheirShapes() {
        ReferenceFusedRecurrence fused = new ReferenceFusedRecurrence();
        RecurrentSpec spec = new RecurrentSpec(RecurrentSpec.Cell.LSTM, 3, 4, 0, 1, false, true, DType.FLOAT32);
        try (LSTM lstm = new LSTM(3, 4); Scope s = Scope.open(); RecurrentWeightSpace space = new RecurrentWeightSpace()) {
            List<Tensor> w = lstm.flatWeights();
            Tensor x = Tensor.randn(5, 2, 3);
            String badX = assertThrows(IllegalArgumentException.class,
                    () -> RecurrentStack.run(fused, spec, Tensor.randn(5, 2, 2), null, null, null, w, space)).getMessage();
            assertEquals("recurrentStack: x must be [T, B, 3] with T, B > 0, got [5, 2, 2]", badX);
            String badH = assertThrows(IllegalArgumentException.class,
                    () -> RecurrentStack.run(fused, spec, x, Tensor.zeros(1, 3, 4), null, null, w, space)).getMessage();
            assertTrue(badH.startsWith("recurrentStack: h0 must be float32 [1, 2, 4]") && badH.contains("[1, 3, 4]"), badH);
            String badLength = assertThrows(IllegalArgumentException.class,
                    () -> RecurrentStack.run(fused, spec, x, null, null, new long[] {5, 6}, w, space)).getMessage();
            assertEquals("recurrentStack: lengths[1] = 6 is out of range 1..5 for x [5, 2, 3]", badLength);
            String badCount = assertThrows(IllegalArgumentException.class,
                    () -> RecurrentStack.run(fused, spec, x, null, null, new long[] {5}, w, space)).getMessage();
            assertEquals("recurrentStack: lengths must have 2 entries for x [5, 2, 3], got 1", badCount);
            String badParam = assertThrows(IllegalArgumentException.class,
                    () -> RecurrentStack.run(fused, spec, x, null, null, null, List.of(w.get(1), w.get(0), w.get(2), w.get(3)), space)).getMessage();
            assertTrue(badParam.startsWith("recurrentStack: parameter 0 must be a contiguous float32 tensor of shape [16, 3]"), badParam);
            assertEquals(0, fused.forwards, "nothing reached the fused recurrence");
        }
    }
}
