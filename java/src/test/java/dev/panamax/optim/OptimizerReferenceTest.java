package dev.panamax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every first-order optimizer against the double-precision reference of PyTorch's rule
 * ({@link RefOptimizers}) over many steps of a time-varying, state-dependent gradient with zeros,
 * on float32 and float64 and awkward layouts; the references themselves against PyTorch.
 */
class OptimizerReferenceTest {
    /** An optimizer configuration and the reference of the same rule. */
    record Case(String name, Function<List<Tensor>, Optimizer> build, Supplier<RefOptimizers.Rule> reference) {}

    static final List<Case> CASES = List.of(
            new Case("sgd", ps -> SGD.builder().lr(0.1).build(ps), () -> RefOptimizers.sgd(0.1, 0, 0, 0, false)),
            new Case("sgd_momentum", ps -> SGD.builder().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01).build(ps),
                    () -> RefOptimizers.sgd(0.05, 0.9, 0.1, 0.01, false)),
            new Case("sgd_nesterov", ps -> SGD.builder().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01).build(ps),
                    () -> RefOptimizers.sgd(0.05, 0.9, 0, 0.01, true)),
            new Case("adagrad", ps -> Adagrad.builder().lr(0.1).lrDecay(0.01).weightDecay(0.01).initialAccumulatorValue(0.1).build(ps),
                    () -> RefOptimizers.adagrad(0.1, 0.01, 0.01, 0.1, 1e-10)),
            new Case("adadelta", ps -> Adadelta.builder().lr(1.0).rho(0.9).eps(1e-6).weightDecay(0.01).build(ps),
                    () -> RefOptimizers.adadelta(1.0, 0.9, 1e-6, 0.01)),
            new Case("rmsprop", ps -> RMSprop.builder().lr(0.01).build(ps), () -> RefOptimizers.rmsprop(0.01, 0.99, 1e-8, 0, 0, false)),
            new Case("rmsprop_centered", ps -> RMSprop.builder().lr(0.01).alpha(0.9).centered(true).momentum(0.9).weightDecay(0.01).build(ps),
                    () -> RefOptimizers.rmsprop(0.01, 0.9, 1e-8, 0.01, 0.9, true)),
            new Case("adam", ps -> Adam.builder().lr(0.01).build(ps), () -> RefOptimizers.adam(0.01, 0.9, 0.999, 1e-8, 0, false, false)),
            new Case("adam_amsgrad", ps -> Adam.builder().lr(0.01).betas(0.3, 0.99).weightDecay(0.01).amsgrad(true).build(ps),
                    () -> RefOptimizers.adam(0.01, 0.3, 0.99, 1e-8, 0.01, true, false)),
            new Case("adamw", ps -> AdamW.builder().lr(0.01).amsgrad(true).build(ps),
                    () -> RefOptimizers.adam(0.01, 0.9, 0.999, 1e-8, 0.01, true, true)),
            new Case("nadam", ps -> NAdam.builder().lr(0.01).build(ps), () -> RefOptimizers.nadam(0.01, 0.9, 0.999, 1e-8, 0, 4e-3, false)),
            new Case("nadam_decoupled", ps -> NAdam.builder().lr(0.01).weightDecay(0.01).decoupledWeightDecay(true).build(ps),
                    () -> RefOptimizers.nadam(0.01, 0.9, 0.999, 1e-8, 0.01, 4e-3, true)));

    /** PyTorch 2.13 in float64: 7 elements after 30 steps (src/test/resources/optim/torch_reference.py). */
    static final Map<String, double[]> TORCH_FINAL = Map.ofEntries(
            Map.entry("sgd", new double[] {0.6523397714198994, 0.22351878629626318, -0.34095950171245243, -0.719590639504609, -0.6387628215681996, -0.040266933779954016, 0.6097161481108891}),
            Map.entry("sgd_momentum", new double[] {0.12353160822378677, 0.033040858709550994, -0.09535454459867013, -0.2907080302045274, -0.3854380694353984, -0.1582167292399236, 0.21020877990419698}),
            Map.entry("sgd_nesterov", new double[] {0.06723279547555155, 0.0008491353530594274, -0.064746472448152, -0.224952926887307, -0.34492065280399237, -0.17252099463257892, 0.15277266027450873}),
            Map.entry("adagrad", new double[] {0.6727621482224747, 0.23816314158460514, -0.3114465281250437, -0.7825950399244708, -0.7276469865480857, -0.06277458064766793, 0.6389674383064404}),
            Map.entry("adadelta", new double[] {0.930243796277971, 0.3503406268261399, -0.4845505114958847, -0.9693854546663173, -0.7134033532320923, 0.07610532730239046, 0.8147940960716871}),
            Map.entry("rmsprop", new double[] {0.6342651494828455, 0.21611621556267327, -0.23661035962273838, -0.7607655981563053, -0.8171552713326339, -0.09580650489459247, 0.6145697044446844}),
            Map.entry("rmsprop_centered", new double[] {0.07315074864239045, 0.007935317889856248, 0.18628716369540535, -0.37176900959204706, -0.6948864094794621, -0.3270676977539839, 0.2228221877974226}),
            Map.entry("adam", new double[] {0.8470095507517059, 0.31056307299594244, -0.4261634230092517, -0.9115090978876976, -0.7315197991452175, 0.028338944786271685, 0.755765586438768}),
            Map.entry("adam_amsgrad", new double[] {0.8640899456320618, 0.3124771110652787, -0.44354371700804757, -0.9086540783268455, -0.6980275206932768, 0.04796531431217853, 0.7521442468234689}),
            Map.entry("adamw", new double[] {0.8444166390863765, 0.3096042378759505, -0.4248579130526186, -0.9087426989701519, -0.7293246940632473, 0.028226265057320468, 0.7534589251372361}),
            Map.entry("nadam", new double[] {0.8748087864393168, 0.3222199399937266, -0.4465104321145285, -0.9224851901949535, -0.718250098741824, 0.05043778477796758, 0.7683357148003614}),
            Map.entry("nadam_decoupled", new double[] {0.8721401524299711, 0.3212153066486951, -0.4451475220765239, -0.9196759774584288, -0.7161016089315909, 0.05024818716852356, 0.7659875004947051}));

    /** The test's gradient at step t (1-based): 0.5·sin(1.3 i + 0.7 t) + 0.1·p_i, and 0 where (i + t) is a multiple of 5. */
    static double[] gradient(double[] p, int t) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            g[i] = (i + t) % 5 == 0 ? 0 : 0.5 * Math.sin(1.3 * i + 0.7 * t) + 0.1 * p[i];
        }
        return g;
    }

    static double[] initial(int n) {
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.cos(0.9 * i + 0.3);
        }
        return p;
    }

    /** A leaf of the given logical shape holding {@link #initial}; transposed storage when {@code strided}. */
    static Tensor parameter(DType dtype, boolean strided, long... shape) {
        int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] v = initial(n);
        if (!strided) {
            return Problems.tensor(v, dtype, shape).requiresGrad(true);
        }
        // store the [r, c] values column-major: a [c, r] tensor, transposed back to [r, c]
        long r = shape[0];
        long c = shape[1];
        double[] colMajor = new double[n];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                colMajor[(int) (j * r + i)] = v[(int) (i * c + j)];
            }
        }
        try (Tensor base = Problems.tensor(colMajor, dtype, c, r)) {
            Tensor p = base.t().unscoped().requiresGrad(true);
            assertFalse(p.isContiguous());
            return p;
        }
    }

    /** Runs {@code steps} steps on {@code params} and on a reference of each; returns {actual, expected} per parameter. */
    static List<double[][]> run(Case c, List<Tensor> params, int steps) {
        List<RefOptimizers.Rule> refs = new ArrayList<>();
        List<double[]> expected = new ArrayList<>();
        for (Tensor p : params) {
            refs.add(c.reference().get());
            expected.add(p.toDoubleArray());
        }
        try (Optimizer opt = c.build().apply(params)) {
            for (int t = 1; t <= steps; t++) {
                for (int k = 0; k < params.size(); k++) {
                    Tensor p = params.get(k);
                    p.setGrad(Problems.tensor(gradient(p.toDoubleArray(), t), p.dtype(), p.shape().toArray()));
                    refs.get(k).step(expected.get(k), gradient(expected.get(k), t));
                }
                opt.step();
            }
        }
        List<double[][]> out = new ArrayList<>();
        for (int k = 0; k < params.size(); k++) {
            out.add(new double[][] {params.get(k).toDoubleArray(), expected.get(k)});
        }
        return out;
    }

    static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " but got " + actual[i]);
            }
        }
    }

    @Test
    void float64MatchesPyTorchAndTheReferenceRule() {
        for (Case c : CASES) {
            Tensor p = parameter(DType.FLOAT64, false, 7);
            double[][] r = run(c, List.of(p), 30).get(0);
            assertClose(c.name() + " vs PyTorch", TORCH_FINAL.get(c.name()), r[0], 1e-13, 1e-12);
            assertClose(c.name() + " reference vs PyTorch", TORCH_FINAL.get(c.name()), r[1], 1e-13, 1e-12);
            p.close();
        }
    }

    @Test
    void matchesTheReferenceOnEveryLayoutAndDtypeOverFiftySteps() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            boolean f32 = dtype == DType.FLOAT32;
            for (Case c : CASES) {
                // a vector longer than a SIMD register with a ragged tail, a single element, a transposed matrix
                List<Tensor> params = List.of(parameter(dtype, false, 37), parameter(dtype, false, 1), parameter(dtype, true, 5, 3));
                List<double[][]> r = run(c, params, 50);
                for (int k = 0; k < r.size(); k++) {
                    assertClose(c.name() + " " + dtype.pyName() + " parameter " + k, r.get(k)[1], r.get(k)[0],
                            f32 ? 2e-5 : 1e-12, f32 ? 2e-4 : 1e-10);
                }
                params.forEach(Tensor::close);
            }
        }
    }

    @Test
    void largeParametersSplitOverThreadsGiveTheSameBitsOnOneAndTwoThreads() {
        for (Case c : CASES) {
            double[][] results = new double[2][];
            for (int threads : new int[] {1, 2}) {
                CpuThreads.run(threads, () -> {
                    Tensor p = parameter(DType.FLOAT32, false, 50_001);
                    double[][] r = run(c, List.of(p), 2).get(0);
                    assertClose(c.name() + " large float32", r[1], r[0], 2e-5, 2e-4);
                    results[threads - 1] = r[0];
                    p.close();
                });
            }
            assertArrayEquals(results[0], results[1], c.name() + ": 1 vs 2 threads");
        }
    }

    @Test
    void eachGroupUsesItsOwnOptions() {
        Tensor a = parameter(DType.FLOAT64, false, 6);
        Tensor b = parameter(DType.FLOAT64, false, 4);
        RefOptimizers.Rule refA = RefOptimizers.adam(0.01, 0.9, 0.999, 1e-8, 0, false, false);
        RefOptimizers.Rule refB = RefOptimizers.adam(0.05, 0.5, 0.999, 1e-8, 0.1, false, false);
        double[] ea = a.toDoubleArray();
        double[] eb = b.toDoubleArray();
        try (Optimizer opt = Adam.builder().lr(0.01).build(ParamGroup.of(List.of(a)),
                ParamGroup.of(List.of(b)).lr(0.05).set("beta1", 0.5).set("weight_decay", 0.1))) {
            assertEquals(0.01, opt.paramGroups().get(0).lr());
            assertEquals(0.05, opt.paramGroups().get(1).lr());
            assertEquals(0.999, opt.paramGroups().get(1).get("beta2"), "unset options come from the defaults");
            for (int t = 1; t <= 20; t++) {
                a.setGrad(Tensor.of(gradient(a.toDoubleArray(), t), 6));
                b.setGrad(Tensor.of(gradient(b.toDoubleArray(), t), 4));
                refA.step(ea, gradient(ea, t));
                refB.step(eb, gradient(eb, t));
                opt.step();
            }
        }
        assertClose("group 0", ea, a.toDoubleArray(), 1e-13, 1e-12);
        assertClose("group 1", eb, b.toDoubleArray(), 1e-13, 1e-12);
        a.close();
        b.close();
    }

    @Test
    void parametersWithoutAGradientAreLeftAloneAndGetNoState() {
        for (Case c : CASES) {
            Tensor a = parameter(DType.FLOAT32, false, 5);
            Tensor b = parameter(DType.FLOAT32, false, 3);
            double[] before = b.toDoubleArray();
            try (Optimizer opt = c.build().apply(List.of(a, b))) {
                a.setGrad(Tensor.ones(5));
                opt.step();
                assertArrayEquals(before, b.toDoubleArray(), c.name());
                try (OptimizerState s = opt.stateDict()) {
                    assertNull(s.state().get(1), c.name() + ": no state for a parameter never stepped");
                }
            }
            a.close();
            b.close();
        }
    }

    @Test
    void zeroGradFreesOrZeroesTheGradients() {
        Tensor a = parameter(DType.FLOAT32, false, 3);
        try (Optimizer opt = SGD.builder().build(List.of(a))) {
            a.setGrad(Tensor.ones(3));
            opt.zeroGrad(false);
            assertArrayEquals(new double[3], a.grad().toDoubleArray());
            opt.zeroGrad();
            assertNull(a.grad());
        }
        a.close();
    }
}
