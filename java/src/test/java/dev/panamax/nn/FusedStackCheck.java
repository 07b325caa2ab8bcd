package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.ops.RecurrentWeightSpace;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One whole-stack case against {@link RecurrentReference} (PyTorch's equations in double
 * precision), in float32 and float64: outputs (zero past each length), h_n, c_n, and the gradients
 * of a loss that reads all three with respect to the input, h0, c0 and every parameter. The stack
 * runs through a {@link Runner}: cuDNN on a GPU (CudnnRecurrentGpuTest), or the RecurrentStack op
 * on a CPU stand-in for the fused recurrence (RecurrentStackOpTest).
 */
final class FusedStackCheck {
    private static final int STEPS = 5;
    private static final int BATCH = 3;
    private static final int IN = 3;
    private static final int HIDDEN = 4;
    private static final long[] LENGTHS = {5, 2, 4};

    private FusedStackCheck() {}

    /** Runs a stack; weights in PyTorch's flat order, x in the layout cfg says. */
    @FunctionalInterface
    interface Runner {
        RNNOutput run(Recurrence.Config cfg, Tensor x, Tensor h0, Tensor c0, long[] lengths, List<Tensor> weights, RecurrentWeightSpace space);
    }

    /** Every cell; one and two layers; both directions and layouts; lengths; projections; with and without bias and initial states. */
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

    static void check(Device device, Recurrence.Mode mode, int layers, boolean bi, boolean batchFirst, boolean withLengths, boolean bias,
                      int proj, boolean states, Runner runner) {
        RecurrentOptions o = new RecurrentOptions(layers, bias, batchFirst, 0, bi, proj, "tanh");
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            check(device, dtype, mode, o, withLengths ? LENGTHS : null, states, runner);
        }
    }

    private static void check(Device device, DType dtype, Recurrence.Mode mode, RecurrentOptions o, long[] lengths, boolean states,
                              Runner runner) {
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
            long[] xShape = o.batchFirst() ? new long[] {BATCH, STEPS, IN} : new long[] {STEPS, BATCH, IN};
            List<double[]> args = new ArrayList<>();
            args.add(Tensor.randn(gen, xShape).toDoubleArray());
            args.add(states ? Tensor.randn(gen, stateCount, BATCH, cfg.outSize()).toDoubleArray() : null);
            args.add(states && lstm ? Tensor.randn(gen, stateCount, BATCH, HIDDEN).toDoubleArray() : null);
            layer.flatWeights().forEach(w -> args.add(w.toDoubleArray()));

            Tensor x = leaf(args.get(0), dtype, device, xShape);
            Tensor h0 = states ? leaf(args.get(1), dtype, device, stateCount, BATCH, cfg.outSize()) : null;
            Tensor c0 = states && lstm ? leaf(args.get(2), dtype, device, stateCount, BATCH, HIDDEN) : null;
            List<Tensor> weights = new ArrayList<>();
            for (int i = 0; i < layer.flatWeights().size(); i++) {
                weights.add(leaf(args.get(3 + i), dtype, device, layer.flatWeights().get(i).shape().toArray()));
            }
            RNNOutput r = runner.run(cfg, x, h0, c0, lengths, weights, space);
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
}
