package dev.panamax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.optim.schedule.CosineAnnealingLR;
import dev.panamax.optim.schedule.LRScheduler;
import dev.panamax.optim.schedule.OneCycleLR;
import dev.panamax.optim.schedule.ReduceLROnPlateau;
import dev.panamax.optim.schedule.SchedulerState;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Resuming from a state dict mid-run gives the same bits as the uninterrupted run. */
class StateDictTest {
    /** Frees every tensor a test leaves open (parameters, gradients); optimizers free their own state. */
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static double[] values(List<Tensor> ps) {
        return ps.stream().flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray())).toArray();
    }

    /** Fresh parameters (a float32 vector and a transposed matrix) holding {@code values}, or the test's start. */
    private static List<Tensor> params(double[] values) {
        Tensor a = OptimizerReferenceTest.parameter(DType.FLOAT32, false, 7);
        Tensor b = OptimizerReferenceTest.parameter(DType.FLOAT32, true, 2, 3);
        if (values != null) {
            try (dev.panamax.autograd.GradMode.Guard ignored = dev.panamax.autograd.GradMode.noGrad();
                 Tensor va = Tensor.of(java.util.Arrays.copyOfRange(values, 0, 7), 7);
                 Tensor vb = Tensor.of(java.util.Arrays.copyOfRange(values, 7, 13), 2, 3)) {
                a.copy_(va);
                b.copy_(vb);
            }
        }
        return List.of(a, b);
    }

    private static void steps(Optimizer opt, List<Tensor> ps, int from, int to, LRScheduler schedule) {
        for (int t = from; t <= to; t++) {
            for (Tensor p : ps) {
                p.setGrad(Problems.tensor(OptimizerReferenceTest.gradient(p.toDoubleArray(), t), p.dtype(), p.shape().toArray()));
            }
            opt.step();
            if (schedule != null) {
                schedule.step();
            }
        }
    }

    @Test
    void everyFirstOrderOptimizerResumesBitForBit() {
        for (OptimizerReferenceTest.Case c : OptimizerReferenceTest.CASES) {
            List<Tensor> ps = params(null);
            double[] snapshot;
            double[] uninterrupted;
            OptimizerState saved;
            try (Optimizer opt = c.build().apply(ps)) {
                steps(opt, ps, 1, 6, null);
                snapshot = values(ps);
                saved = opt.stateDict();
                steps(opt, ps, 7, 12, null);
                uninterrupted = values(ps);
            }
            ps.forEach(Tensor::close);
            List<Tensor> resumed = params(snapshot);
            try (saved; Optimizer opt = c.build().apply(resumed)) {
                opt.loadStateDict(saved);
                steps(opt, resumed, 7, 12, null);
            }
            assertArrayEquals(uninterrupted, values(resumed), c.name());
            resumed.forEach(Tensor::close);
        }
    }

    /** Runs Adam or SGD with a schedule for 16 steps, or for 8, a save, a rebuild, a load and 8 more; returns params and rates. */
    private static double[] scheduledRun(Function<List<Tensor>, Optimizer> make, Function<Optimizer, LRScheduler> schedule, boolean resume) {
        List<Tensor> ps = params(null);
        Optimizer opt = make.apply(ps);
        LRScheduler s = schedule.apply(opt);
        steps(opt, ps, 1, 8, s);
        if (resume) {
            double[] snapshot = values(ps);
            try (OptimizerState saved = opt.stateDict()) {
                SchedulerState savedSchedule = s.stateDict();
                opt.close();
                ps.forEach(Tensor::close);
                ps = params(snapshot);
                opt = make.apply(ps);
                s = schedule.apply(opt); // PyTorch's order: build the scheduler, then load both
                opt.loadStateDict(saved);
                s.loadStateDict(savedSchedule);
            }
        }
        steps(opt, ps, 9, 16, s);
        double[] out = new double[13 + 2];
        System.arraycopy(values(ps), 0, out, 0, 13);
        out[13] = opt.paramGroups().get(0).lr();
        out[14] = s.lastEpoch();
        opt.close();
        ps.forEach(Tensor::close);
        return out;
    }

    @Test
    void optimizerAndScheduleResumeTogether() {
        Function<List<Tensor>, Optimizer> adam = ps -> Adam.builder().lr(0.01).build(ps);
        Function<Optimizer, LRScheduler> oneCycle = o -> OneCycleLR.builder(o, 0.05).totalSteps(20).build();
        assertArrayEquals(scheduledRun(adam, oneCycle, false), scheduledRun(adam, oneCycle, true), "Adam + OneCycleLR");
        Function<List<Tensor>, Optimizer> sgd = ps -> SGD.builder().lr(0.05).momentum(0.9).build(ps);
        Function<Optimizer, LRScheduler> cosine = o -> new CosineAnnealingLR(o, 10, 0.001);
        assertArrayEquals(scheduledRun(sgd, cosine, false), scheduledRun(sgd, cosine, true), "SGD + CosineAnnealingLR");
    }

    @Test
    void reduceOnPlateauResumes() {
        double[] metrics = {5, 4, 4, 4, 4, 3, 3, 3, 3, 3};
        Tensor p = Tensor.zeros(1).requiresGrad(true);
        Optimizer a = SGD.builder().lr(0.1).build(List.of(p));
        Optimizer b = SGD.builder().lr(0.1).build(List.of(p));
        ReduceLROnPlateau ra = ReduceLROnPlateau.builder(a).patience(1).build();
        ReduceLROnPlateau rb = ReduceLROnPlateau.builder(b).patience(1).build();
        for (int i = 0; i < 4; i++) {
            ra.step(metrics[i]);
            rb.step(metrics[i]);
        }
        try (OptimizerState saved = b.stateDict()) {
            SchedulerState savedSchedule = rb.stateDict();
            b = SGD.builder().lr(0.1).build(List.of(p));
            rb = ReduceLROnPlateau.builder(b).patience(1).build();
            b.loadStateDict(saved);
            rb.loadStateDict(savedSchedule);
        }
        for (int i = 4; i < metrics.length; i++) {
            ra.step(metrics[i]);
            rb.step(metrics[i]);
            assertEquals(a.paramGroups().get(0).lr(), b.paramGroups().get(0).lr(), "epoch " + i);
        }
        assertEquals(ra.best(), rb.best());
        p.close();
    }

    @Test
    void secondOrderOptimizersResumeBitForBit() {
        List<Function<List<Tensor>, Optimizer>> makers = List.of(
                ps -> LBFGS.builder().historySize(5).lineSearchFn(LBFGS.LineSearch.STRONG_WOLFE).maxIter(3).build(ps),
                ps -> LBFGS.builder().lr(0.001).maxIter(3).build(ps),
                ps -> BFGS.builder().maxIter(3).build(ps),
                ps -> ConjugateGradient.builder().maxIter(3).build(ps),
                ps -> Newton.builder().maxIter(2).build(ps));
        for (Function<List<Tensor>, Optimizer> make : makers) {
            double[] uninterrupted;
            double[] snapshot;
            OptimizerState saved;
            String name;
            try (Problems.Problem p = Problems.rosenbrock(DType.FLOAT64); Optimizer opt = make.apply(p.params())) {
                name = opt.name();
                opt.step(p.closure());
                opt.step(p.closure());
                snapshot = p.values();
                saved = opt.stateDict();
                opt.step(p.closure());
                opt.step(p.closure());
                uninterrupted = p.values();
            }
            try (saved; Problems.Problem p = Problems.rosenbrock(DType.FLOAT64)) {
                try (dev.panamax.autograd.GradMode.Guard ignored = dev.panamax.autograd.GradMode.noGrad(); Tensor v = Tensor.of(snapshot, 2)) {
                    p.params().get(0).copy_(v);
                }
                try (Optimizer opt = make.apply(p.params())) {
                    opt.loadStateDict(saved);
                    opt.step(p.closure());
                    opt.step(p.closure());
                }
                assertArrayEquals(uninterrupted, p.values(), name);
            }
        }
    }

    @Test
    void theSnapshotUsesPyTorchsNamesAndIsACopy() {
        List<Tensor> ps = params(null);
        try (Optimizer opt = Adam.builder().lr(0.01).amsgrad(true).build(ps)) {
            steps(opt, ps, 1, 2, null);
            try (OptimizerState s = opt.stateDict()) {
                assertEquals("Adam", s.optimizer());
                assertEquals(List.of(ps.get(0).shape(), ps.get(1).shape()), s.paramGroups().get(0).paramShapes());
                assertEquals(0.01, s.paramGroups().get(0).options().get("lr"));
                assertEquals(1.0, s.paramGroups().get(0).options().get("amsgrad"));
                ParamState first = s.state().get(0);
                assertEquals(List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), List.copyOf(first.tensors().keySet()));
                assertEquals(2.0, first.scalars().get("step"));
                double[] before = first.tensor("exp_avg").toDoubleArray();
                steps(opt, ps, 3, 3, null);
                assertArrayEquals(before, first.tensor("exp_avg").toDoubleArray(), "stepping on does not change the snapshot");
                assertTrue(first.tensor("exp_avg") != null);
            }
        }
        ps.forEach(Tensor::close);
    }
}
