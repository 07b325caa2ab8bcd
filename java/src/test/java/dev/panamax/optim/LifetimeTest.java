package dev.panamax.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.backend.Storage;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Steps allocate nothing that outlives them, and the optimizer frees its state on close. */
class LifetimeTest {
    private static void setGradients(List<Tensor> ps, int t) {
        for (Tensor p : ps) {
            p.setGrad(Problems.tensor(OptimizerReferenceTest.gradient(p.toDoubleArray(), t), p.dtype(), p.shape().toArray()));
        }
    }

    @Test
    void firstOrderStepsDoNotAccumulateMemory() {
        for (OptimizerReferenceTest.Case c : OptimizerReferenceTest.CASES) {
            List<Tensor> ps = List.of(OptimizerReferenceTest.parameter(DType.FLOAT32, false, 33),
                    OptimizerReferenceTest.parameter(DType.FLOAT32, true, 4, 3));
            Optimizer opt = c.build().apply(ps);
            for (int t = 1; t <= 3; t++) {
                setGradients(ps, t);
                opt.step();
            }
            long settled = Storage.liveCount();
            for (int t = 4; t <= 40; t++) {
                setGradients(ps, t);
                opt.step();
            }
            assertTrue(Storage.liveCount() <= settled, c.name() + ": " + (Storage.liveCount() - settled) + " storages more after 37 steps");
            try (OptimizerState s = opt.stateDict()) {
                long withState = Storage.liveCount();
                opt.close();
                long freed = s.state().values().stream().mapToLong(st -> st.tensors().size()).sum();
                assertTrue(Storage.liveCount() <= withState - freed, c.name() + ": close() frees the state buffers");
            }
            ps.forEach(Tensor::close);
        }
    }

    @Test
    void secondOrderStepsDoNotAccumulateMemory() {
        try (Problems.Problem p = Problems.logistic(DType.FLOAT32);
             LBFGS opt = LBFGS.builder().lineSearchFn(LBFGS.LineSearch.STRONG_WOLFE).maxIter(3).build(p.params())) {
            opt.step(p.closure());
            long settled = Storage.liveCount();
            for (int i = 0; i < 10; i++) {
                opt.step(p.closure());
            }
            assertTrue(Storage.liveCount() <= settled, (Storage.liveCount() - settled) + " storages more after 10 steps");
        }
    }

    @Test
    void aClosedParameterIsReportedWhenStepped() {
        Tensor p = Tensor.zeros(3).requiresGrad(true);
        try (Optimizer opt = Adam.builder().build(List.of(p))) {
            p.setGrad(Tensor.ones(3));
            p.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
            assertEquals("Adam: parameter float32[3] was used after close()", e.getMessage());
        }
    }
}
