package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.panamax.autograd.GradMode;
import dev.panamax.cuda.GpuDevice;
import dev.panamax.ops.RecurrentWeightSpace;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole-stack cuDNN path (RecurrentStack on cudnnRNNForward, cudnnRNNBackwardData_v8 and
 * cudnnRNNBackwardWeights_v8) against {@link RecurrentReference}, PyTorch's equations in double
 * precision: outputs (zero past each length), h_n, c_n, and the gradients of a loss that reads all
 * three with respect to the input, h0, c0 and every parameter, in float32 and float64, for every
 * cell, two layers, both directions, both layouts, lengths, projections, with and without bias and
 * initial states. On a GPU each case first asserts that the stack does take the fused path.
 */
@Tag("gpu")
class CudnnRecurrentGpuTest {
    private static final int STEPS = 5;
    private static final int BATCH = 3;
    private static final int IN = 3;
    private static final int HIDDEN = 4;
    private static final long[] LENGTHS = {5, 2, 4};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Recurrence.Mode mode : Recurrence.Mode.values()) {
            // mode, layers, bidirectional, batchFirst, lengths, bias, proj, initial states
            out.add(Arguments.of(mode, 1, false, false, false, true, 0, true));
            out.add(Arguments.of(mode, 2, true, false, true, true, 0, true));
            out.add(Arguments.of(mode, 2, false, true, true, false, 0, false));
            out.add(Arguments.of(mode, 1, true, true, false, true, 0, false));
        }
        out.add(Arguments.of(Recurrence.Mode.LSTM, 2, true, false, true, true, 2, true));
        out.add(Arguments.of(Recurrence.Mode.LSTM, 1, false, true, false, false, 3, true));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} layers={1} bidirectional={2} batchFirst={3} lengths={4} bias={5} proj={6} states={7}")
    @MethodSource("cases")
    void fusedStackMatchesTheReference(Recurrence.Mode mode, int layers, boolean bi, boolean batchFirst, boolean withLengths, boolean bias,
                                       int proj, boolean states) {
        Device device = GpuDevice.get();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            check(device, dtype, mode, new RecurrentOptions(layers, bias, batchFirst, 0, bi, proj, "tanh"), withLengths ? LENGTHS : null, states);
        }
    }

    private static void check(Device device, DType dtype, Recurrence.Mode mode, RecurrentOptions o, long[] lengths, boolean states) {
        boolean f64 = dtype == DType.FLOAT64;
        double forwardTol = f64 ? 1e-10 : 1e-5;
        double gradAbs = f64 ? 1e-7 : 1e-4;
        double gradRel = f64 ? 1e-6 : 1e-3;
        Generator gen = new Generator(300 + mode.ordinal() * 17 + o.numLayers() * 5 + (o.bidirectional() ? 3 : 0));
        String what = mode + " " + dtype.pyName() + " ";
        try (RNNBase layer = RecurrentParityTest.build(mode, IN, HIDDEN, o, gen); Scope s = Scope.open();
             RecurrentWeightSpace space = new RecurrentWeightSpace()) {
            Recurrence.Config cfg = layer.config();
            boolean lstm = mode == Recurrence.Mode.LSTM;
            int stateCount = o.numLayers() * cfg.directions();
            List<double[]> args = new ArrayList<>();
            args.add(Tensor.randn(gen, o.batchFirst() ? new long[] {BATCH, STEPS, IN} : new long[] {STEPS, BATCH, IN}).toDoubleArray());
            args.add(states ? Tensor.randn(gen, stateCount, BATCH, cfg.outSize()).toDoubleArray() : null);
            args.add(states && lstm ? Tensor.randn(gen, stateCount, BATCH, HIDDEN).toDoubleArray() : null);
            layer.flatWeights().forEach(w -> args.add(w.toDoubleArray()));

            Tensor x = leaf(args.get(0), dtype, device, o.batchFirst() ? new long[] {BATCH, STEPS, IN} : new long[] {STEPS, BATCH, IN});
            Tensor h0 = states ? leaf(args.get(1), dtype, device, stateCount, BATCH, cfg.outSize()) : null;
            Tensor c0 = states && lstm ? leaf(args.get(2), dtype, device, stateCount, BATCH, HIDDEN) : null;
            List<Tensor> weights = new ArrayList<>();
            for (int i = 0; i < layer.flatWeights().size(); i++) {
                weights.add(leaf(args.get(3 + i), dtype, device, layer.flatWeights().get(i).shape().toArray()));
            }
            if (!device.equals(Device.CPU)) {
                assertEquals("", Recurrence.fusedUnavailable(cfg, x.backend(), dtype, true), what + "takes the cuDNN path");
            }
            RNNOutput r = Recurrence.run(cfg, x, h0, c0, lengths, weights, true, gen, space);
            assertEquals(device, r.output().device());

            RecurrentReference.Result ref = reference(cfg, args, lengths);
            RecurrentParityTest.assertClose(ref.output(), r.output(), forwardTol, 0, what + "output");
            RecurrentParityTest.assertClose(ref.hN(), r.hN(), forwardTol, 0, what + "h_n");
            if (lstm) {
                RecurrentParityTest.assertClose(ref.cN(), r.cN(), forwardTol, 0, what + "c_n");
            }
            Tensor r1 = Tensor.randn(gen, r.output().shape().toArray());
            Tensor r2 = Tensor.randn(gen, r.hN().shape().toArray());
            Tensor r3 = lstm ? Tensor.randn(gen, r.cN().shape().toArray()) : null;
            Tensor loss = r.output().mul(r1.to(dtype).to(device)).sum().add(r.hN().mul(r2.to(dtype).to(device)).sum());
            if (lstm) {
                loss = loss.add(r.cN().mul(r3.to(dtype).to(device)).sum());
            }
            loss.backward();
            double[] d1 = r1.toDoubleArray();
            double[] d2 = r2.toDoubleArray();
            double[] d3 = lstm ? r3.toDoubleArray() : new double[0];
            List<double[]> expected = RecurrentReference.gradients(() -> RecurrentReference.loss(reference(cfg, args, lengths), d1, d2, d3), args);
            RecurrentParityTest.assertClose(expected.get(0), x.grad(), gradAbs, gradRel, what + "d loss / d input");
            if (states) {
                RecurrentParityTest.assertClose(expected.get(1), h0.grad(), gradAbs, gradRel, what + "d loss / d h0");
            }
            if (states && lstm) {
                RecurrentParityTest.assertClose(expected.get(2), c0.grad(), gradAbs, gradRel, what + "d loss / d c0");
            }
            for (int i = 0; i < weights.size(); i++) {
                RecurrentParityTest.assertClose(expected.get(3 + i), weights.get(i).grad(), gradAbs, gradRel,
                        what + "d loss / d " + layer.namedParameters().get(i).name());
            }
        }
    }

    private static Tensor leaf(double[] values, DType dtype, Device device, long... shape) {
        try (Tensor t = Tensor.of(values, shape); Tensor d = t.to(dtype)) {
            return d.to(device).requiresGrad(true);
        }
    }

    private static RecurrentReference.Result reference(Recurrence.Config cfg, List<double[]> args, long[] lengths) {
        return RecurrentReference.forward(cfg, STEPS, BATCH, args.get(0), args.get(1), args.get(2), lengths, args.subList(3, args.size()));
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
