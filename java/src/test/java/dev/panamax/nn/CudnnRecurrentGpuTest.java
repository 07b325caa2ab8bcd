package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.panamax.autograd.GradMode;
import dev.panamax.cuda.GpuDevice;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole-stack cuDNN path (RecurrentStack on cudnnRNNForward, cudnnRNNBackwardData_v8 and
 * cudnnRNNBackwardWeights_v8) against the double-precision reference ({@link FusedStackCheck}:
 * forward and every gradient, float32 and float64, every cell, layers, directions, layouts,
 * lengths, projections, bias and initial states). On a GPU each case first asserts that the stack
 * does take the fused path. Then the weight space: reused while the parameters stay unchanged,
 * never overwritten under a live graph.
 */
@Tag("gpu")
class CudnnRecurrentGpuTest {
    private static final int STEPS = 5;
    private static final int BATCH = 3;
    private static final int IN = 3;
    private static final int HIDDEN = 4;

    static Stream<Arguments> cases() {
        return FusedStackCheck.cases();
    }

    @ParameterizedTest(name = "{0} layers={1} bidirectional={2} batchFirst={3} lengths={4} bias={5} proj={6} states={7}")
    @MethodSource("cases")
    void fusedStackMatchesTheReference(Recurrence.Mode mode, int layers, boolean bi, boolean batchFirst, boolean withLengths, boolean bias,
                                       int proj, boolean states) {
        Device device = GpuDevice.get();
        FusedStackCheck.Runner onDevice = (cfg, x, h0, c0, lengths, weights, space) -> {
            if (!device.equals(Device.CPU)) {
                assertEquals("", Recurrence.fusedUnavailable(cfg, x.backend(), x.dtype(), true), cfg + " takes the cuDNN path");
            }
            return Recurrence.run(cfg, x, h0, c0, lengths, weights, true, null, space);
        };
        FusedStackCheck.check(device, mode, layers, bi, batchFirst, withLengths, bias, proj, states, onDevice);
    }

    /**
     * The weight space is filled once and reused while the parameters stay unchanged; an optimizer
     * step (or any in-place update) refills it, and the next forward sees the new values.
     */
    @Test
    void weightSpaceIsReusedUntilAParameterChanges() {
        Device device = GpuDevice.get();
        Generator gen = new Generator(77);
        // no graph (inference), so the layer can move back at the end
        try (LSTM lstm = new LSTM(IN, HIDDEN, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true), gen); Scope s = Scope.open();
             GradMode.Guard inference = GradMode.noGrad()) {
            lstm.to(device);
            Tensor x = Tensor.randn(gen, STEPS, BATCH, IN).to(device);
            float[] first = lstm.forward(x).toFloatArray();
            float[] again = lstm.forward(x).toFloatArray();
            assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(again), "same parameters, same output");
            boolean fused = !device.equals(Device.CPU);
            assertEquals(fused ? 1 : 0, lstm.weightSpace().refills(), "filled once for two calls");
            lstm.flatWeights().get(1).add_(0.5);
            float[] changed = lstm.forward(x).toFloatArray();
            assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(changed), "the update is seen");
            assertEquals(fused ? 2 : 0, lstm.weightSpace().refills(), "refilled after the update");
            lstm.to(Device.CPU);
            try (Tensor onCpu = lstm.forward(x.to(Device.CPU))) {
                assertEquals(changed.length, onCpu.toFloatArray().length, "moves back and runs layer by layer");
            }
        }
    }

    /** A space a recorded graph still reads is never overwritten: a refill lays out a new one, so the backward sees its forward's weights. */
    @Test
    void aRefillDoesNotOverwriteWeightsAGraphStillReads() {
        Device device = GpuDevice.get();
        Generator gen = new Generator(78);
        try (GRU gru = new GRU(IN, HIDDEN, RecurrentOptions.DEFAULT, gen); GRU twin = new GRU(IN, HIDDEN, RecurrentOptions.DEFAULT,
                new Generator(78)); Scope s = Scope.open()) {
            gru.to(device);
            twin.to(device);
            Tensor x = Tensor.randn(gen, STEPS, BATCH, IN).to(device);
            Tensor first = gru.forward(x);
            Tensor expectedFirst = twin.forward(x);
            try (GradMode.Guard g = GradMode.noGrad()) {
                gru.flatWeights().get(0).mul_(2);
                twin.flatWeights().get(0).mul_(2);
            }
            Tensor second = gru.forward(x);
            assertNotSame(first, second);
            first.sum().backward();
            expectedFirst.sum().backward();
            // the twin's first graph never shared a space with a later forward
            for (int i = 0; i < gru.flatWeights().size(); i++) {
                RecurrentParityTest.assertClose(twin.flatWeights().get(i).grad().toDoubleArray(), gru.flatWeights().get(i).grad(), 1e-6, 1e-5,
                        "gradient of " + gru.namedParameters().get(i).name() + " through the first graph");
            }
            assertEquals(device, second.device());
        }
    }
}
