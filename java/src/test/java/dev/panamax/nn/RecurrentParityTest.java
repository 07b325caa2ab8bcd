package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every recurrent layer and cell against {@link RecurrentReference} (PyTorch's equations in
 * double precision): outputs, h_n and c_n, and the gradients of a scalar loss with respect to the
 * input, h0, c0 and every parameter, over 1 and 2 layers, one and two directions, both layouts,
 * full and variable-length batches, with and without bias, and LSTM projections.
 */
class RecurrentParityTest {
    private static final int STEPS = 5;
    private static final int BATCH = 3;
    private static final int IN = 3;
    private static final int HIDDEN = 4;
    private static final long[] LENGTHS = {5, 2, 4};
    private static final double FORWARD_TOL = 1e-5;
    private static final double GRAD_ABS = 1e-4;
    private static final double GRAD_REL = 1e-3;

    static Stream<Arguments> configurations() {
        List<Arguments> out = new ArrayList<>();
        for (Recurrence.Mode mode : Recurrence.Mode.values()) {
            for (int layers = 1; layers <= 2; layers++) {
                for (boolean bi : new boolean[] {false, true}) {
                    for (boolean batchFirst : new boolean[] {false, true}) {
                        for (boolean lengths : new boolean[] {false, true}) {
                            boolean bias = !(layers == 1 && bi && lengths);
                            out.add(Arguments.of(mode, layers, bi, batchFirst, lengths, bias, 0));
                        }
                    }
                }
            }
        }
        for (int layers = 1; layers <= 2; layers++) {
            for (boolean bi : new boolean[] {false, true}) {
                for (boolean lengths : new boolean[] {false, true}) {
                    out.add(Arguments.of(Recurrence.Mode.LSTM, layers, bi, lengths, lengths, true, 2));
                }
            }
        }
        return out.stream();
    }

    static RNNBase build(Recurrence.Mode mode, RecurrentOptions o, Generator gen) {
        return build(mode, IN, HIDDEN, o, gen);
    }

    static RNNBase build(Recurrence.Mode mode, long in, long hidden, RecurrentOptions o, Generator gen) {
        return switch (mode) {
            case RNN_TANH -> new RNN(in, hidden, o, gen);
            case RNN_RELU -> new RNN(in, hidden, o.nonlinearity("relu"), gen);
            case LSTM -> new LSTM(in, hidden, o, gen);
            case GRU -> new GRU(in, hidden, o, gen);
        };
    }

    @ParameterizedTest(name = "{0} layers={1} bidirectional={2} batchFirst={3} lengths={4} bias={5} proj={6}")
    @MethodSource("configurations")
    void layerMatchesTheReference(Recurrence.Mode mode, int layers, boolean bi, boolean batchFirst, boolean withLengths, boolean bias,
                                  int proj) {
        Generator gen = new Generator(100 + layers * 7 + (bi ? 3 : 0) + (batchFirst ? 11 : 0));
        RecurrentOptions o = RecurrentOptions.DEFAULT.numLayers(layers).bidirectional(bi).batchFirst(batchFirst).bias(bias).projSize(proj);
        try (RNNBase layer = build(mode, o, gen); Scope s = Scope.open()) {
            Recurrence.Config cfg = layer.config();
            int states = layers * cfg.directions();
            long[] lengths = withLengths ? LENGTHS : null;
            boolean lstm = mode == Recurrence.Mode.LSTM;
            Tensor x = (batchFirst ? Tensor.randn(gen, BATCH, STEPS, IN) : Tensor.randn(gen, STEPS, BATCH, IN)).requiresGrad(true);
            Tensor h0 = Tensor.randn(gen, states, BATCH, cfg.outSize()).requiresGrad(true);
            Tensor c0 = lstm ? Tensor.randn(gen, states, BATCH, HIDDEN).requiresGrad(true) : null;
            RNNOutput r = layer.run(x, h0, c0, lengths);

            List<double[]> args = new ArrayList<>();
            args.add(x.toDoubleArray());
            args.add(h0.toDoubleArray());
            args.add(lstm ? c0.toDoubleArray() : null);
            layer.flatWeights().forEach(w -> args.add(w.toDoubleArray()));
            RecurrentReference.Result ref = reference(cfg, args, lengths);
            assertClose(ref.output(), r.output(), FORWARD_TOL, 0, "output");
            assertClose(ref.hN(), r.hN(), FORWARD_TOL, 0, "h_n");
            if (lstm) {
                assertClose(ref.cN(), r.cN(), FORWARD_TOL, 0, "c_n");
            }
            if (withLengths) {
                assertPaddingIsZero(r.output(), batchFirst);
            }

            Tensor r1 = Tensor.randn(gen, r.output().shape().toArray());
            Tensor r2 = Tensor.randn(gen, r.hN().shape().toArray());
            Tensor r3 = lstm ? Tensor.randn(gen, r.cN().shape().toArray()) : null;
            Tensor loss = r.output().mul(r1).sum().add(r.hN().mul(r2).sum());
            if (lstm) {
                loss = loss.add(r.cN().mul(r3).sum());
            }
            double[] d1 = r1.toDoubleArray();
            double[] d2 = r2.toDoubleArray();
            double[] d3 = lstm ? r3.toDoubleArray() : new double[0];
            assertEquals(RecurrentReference.loss(ref, d1, d2, d3), loss.item(), 1e-4, "loss");
            loss.backward();
            List<double[]> expected = RecurrentReference.gradients(() -> RecurrentReference.loss(reference(cfg, args, lengths), d1, d2, d3), args);
            assertClose(expected.get(0), x.grad(), GRAD_ABS, GRAD_REL, "d loss / d input");
            assertClose(expected.get(1), h0.grad(), GRAD_ABS, GRAD_REL, "d loss / d h0");
            if (lstm) {
                assertClose(expected.get(2), c0.grad(), GRAD_ABS, GRAD_REL, "d loss / d c0");
            }
            List<Parameter> params = layer.namedParameters();
            assertEquals(args.size() - 3, params.size());
            for (int i = 0; i < params.size(); i++) {
                assertNotNull(params.get(i).tensor().grad(), params.get(i).name() + " has a gradient");
                assertClose(expected.get(3 + i), params.get(i).tensor().grad(), GRAD_ABS, GRAD_REL, "d loss / d " + params.get(i).name());
            }
        }
    }

    private static RecurrentReference.Result reference(Recurrence.Config cfg, List<double[]> args, long[] lengths) {
        return RecurrentReference.forward(cfg, STEPS, BATCH, args.get(0), args.get(1), args.get(2), lengths, args.subList(3, args.size()));
    }

    private static void assertPaddingIsZero(Tensor output, boolean batchFirst) {
        for (int b = 0; b < BATCH; b++) {
            for (long t = LENGTHS[b]; t < STEPS; t++) {
                try (Tensor step = batchFirst ? output.select(0, b).select(0, t) : output.select(0, t).select(0, b);
                     Tensor a = step.abs(); Tensor m = a.max()) {
                    assertEquals(0.0, m.item(), "output of sequence " + b + " at step " + t + " past its length " + LENGTHS[b]);
                }
            }
        }
    }

    static void assertClose(double[] expected, Tensor actual, double abs, double rel, String what) {
        assertNotNull(actual, what + " was computed");
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what + " element count");
        for (int i = 0; i < a.length; i++) {
            double tol = abs + rel * Math.abs(expected[i]);
            int at = i;
            assertTrue(Math.abs(expected[i] - a[i]) <= tol,
                    () -> what + " at flat index " + at + ": expected " + expected[at] + ", got " + a[at] + " (shape " + actual.shape() + ")");
        }
    }

    @Test
    void cellsMatchTheReference() {
        Generator gen = new Generator(41);
        for (Recurrence.Mode mode : Recurrence.Mode.values()) {
            for (boolean bias : new boolean[] {true, false}) {
                RNNCellBase cell = switch (mode) {
                    case RNN_TANH -> new RNNCell(IN, HIDDEN, bias, "tanh", gen);
                    case RNN_RELU -> new RNNCell(IN, HIDDEN, bias, "relu", gen);
                    case LSTM -> new LSTMCell(IN, HIDDEN, bias, gen);
                    case GRU -> new GRUCell(IN, HIDDEN, bias, gen);
                };
                String what = cell + " ";
                try (cell; Scope s = Scope.open()) {
                    boolean lstm = mode == Recurrence.Mode.LSTM;
                    Recurrence.Config cfg = new Recurrence.Config(mode, IN, HIDDEN, 0, 1, bias, false, 0, false);
                    Tensor x = Tensor.randn(gen, BATCH, IN).requiresGrad(true);
                    Tensor h = Tensor.randn(gen, BATCH, HIDDEN).requiresGrad(true);
                    Tensor c = lstm ? Tensor.randn(gen, BATCH, HIDDEN).requiresGrad(true) : null;
                    Tensor[] r = cell.step(x, h, c);
                    List<double[]> args = new ArrayList<>();
                    args.add(x.toDoubleArray());
                    args.add(h.toDoubleArray());
                    args.add(lstm ? c.toDoubleArray() : null);
                    cell.parameters().forEach(w -> args.add(w.toDoubleArray()));
                    java.util.function.Supplier<RecurrentReference.Result> ref = () ->
                            RecurrentReference.forward(cfg, 1, BATCH, args.get(0), args.get(1), args.get(2), null, args.subList(3, args.size()));
                    assertClose(ref.get().output(), r[0], FORWARD_TOL, 0, what + "h'");
                    if (lstm) {
                        assertClose(ref.get().cN(), r[1], FORWARD_TOL, 0, what + "c'");
                    }
                    Tensor r1 = Tensor.randn(gen, BATCH, HIDDEN);
                    Tensor r3 = Tensor.randn(gen, BATCH, HIDDEN);
                    Tensor loss = r[0].mul(r1).sum();
                    if (lstm) {
                        loss = loss.add(r[1].mul(r3).sum());
                    }
                    loss.backward();
                    double[] d1 = r1.toDoubleArray();
                    double[] d3 = lstm ? r3.toDoubleArray() : new double[0];
                    double[] none = new double[BATCH * HIDDEN];
                    List<double[]> expected = RecurrentReference.gradients(() -> RecurrentReference.loss(ref.get(), d1, none, d3), args);
                    assertClose(expected.get(0), x.grad(), GRAD_ABS, GRAD_REL, what + "d / d input");
                    assertClose(expected.get(1), h.grad(), GRAD_ABS, GRAD_REL, what + "d / d hx");
                    if (lstm) {
                        assertClose(expected.get(2), c.grad(), GRAD_ABS, GRAD_REL, what + "d / d cx");
                    }
                    List<Parameter> params = cell.namedParameters();
                    assertEquals(bias ? List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh") : List.of("weight_ih", "weight_hh"),
                            params.stream().map(Parameter::name).toList());
                    for (int i = 0; i < params.size(); i++) {
                        assertClose(expected.get(3 + i), params.get(i).tensor().grad(), GRAD_ABS, GRAD_REL, what + "d / d " + params.get(i).name());
                    }
                }
            }
        }
    }

    @Test
    void unbatchedInputsAreABatchOfOne() {
        Generator gen = new Generator(8);
        for (boolean batchFirst : new boolean[] {false, true}) {
            RecurrentOptions o = RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true).batchFirst(batchFirst);
            try (LSTM lstm = new LSTM(IN, HIDDEN, o, gen); GRUCell cell = new GRUCell(IN, HIDDEN); Scope s = Scope.open()) {
                Tensor x = Tensor.randn(gen, STEPS, IN);
                Tensor h0 = Tensor.randn(gen, 4, HIDDEN);
                Tensor c0 = Tensor.randn(gen, 4, HIDDEN);
                RNNOutput single = lstm.forward(x, h0, c0);
                RNNOutput batched = lstm.forward(x.unsqueeze(batchFirst ? 0 : 1), h0.unsqueeze(1), c0.unsqueeze(1));
                assertArrayEquals(new long[] {STEPS, 2 * HIDDEN}, single.output().shape().toArray());
                assertArrayEquals(new long[] {4, HIDDEN}, single.hN().shape().toArray());
                assertArrayEquals(batched.output().toFloatArray(), single.output().toFloatArray());
                assertArrayEquals(batched.hN().toFloatArray(), single.hN().toFloatArray());
                assertArrayEquals(batched.cN().toFloatArray(), single.cN().toFloatArray());
                Tensor v = Tensor.randn(gen, IN);
                Tensor hv = Tensor.randn(gen, HIDDEN);
                Tensor one = cell.forward(v, hv);
                assertArrayEquals(new long[] {HIDDEN}, one.shape().toArray());
                assertArrayEquals(cell.forward(v.unsqueeze(0), hv.unsqueeze(0)).toFloatArray(), one.toFloatArray());
            }
        }
    }

    @Test
    void missingStatesAreZeros() {
        Generator gen = new Generator(9);
        try (LSTM lstm = new LSTM(IN, HIDDEN, RecurrentOptions.DEFAULT.numLayers(2), gen); GRU gru = new GRU(IN, HIDDEN);
             LSTMCell cell = new LSTMCell(IN, HIDDEN); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, STEPS, BATCH, IN);
            Tensor zeros = Tensor.zeros(2, BATCH, HIDDEN);
            assertArrayEquals(lstm.forward(x, zeros, zeros).output().toFloatArray(), lstm.forward(x).toFloatArray());
            assertArrayEquals(lstm.forward(x, zeros, zeros).cN().toFloatArray(), lstm.forward(x, null, null).cN().toFloatArray());
            Tensor z1 = Tensor.zeros(1, BATCH, HIDDEN);
            assertArrayEquals(gru.forward(x, z1).hN().toFloatArray(), gru.forward(x, null).hN().toFloatArray());
            Tensor v = Tensor.randn(gen, BATCH, IN);
            Tensor zb = Tensor.zeros(BATCH, HIDDEN);
            assertArrayEquals(cell.forward(v, zb, zb).h().toFloatArray(), cell.forward(v).toFloatArray());
        }
    }
}
