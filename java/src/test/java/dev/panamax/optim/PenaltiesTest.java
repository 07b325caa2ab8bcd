package dev.panamax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** L1 and L2 penalties: values, gradients, and L2 as the equivalent of weight decay. */
class PenaltiesTest {
    @Test
    void valuesAndGradients() {
        try (Scope ignored = Scope.open()) {
            Tensor a = Tensor.of(new double[] {1, -2, 0.5}, 3).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {-3, 4}, 2, 1).requiresGrad(true);
            Tensor l1 = Penalties.l1(List.of(a, b));
            assertEquals(10.5, l1.item(), 1e-15);
            l1.backward();
            assertArrayEquals(new double[] {1, -1, 1}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {-1, 1}, b.grad().toDoubleArray());
            a.zeroGrad();
            b.zeroGrad();
            Tensor l2 = Penalties.l2(List.of(a, b));
            assertEquals(0.5 * (1 + 4 + 0.25 + 9 + 16), l2.item(), 1e-15);
            l2.backward();
            assertArrayEquals(a.toDoubleArray(), a.grad().toDoubleArray());
            assertArrayEquals(b.toDoubleArray(), b.grad().toDoubleArray());
        }
    }

    @Test
    void anL2PenaltyInTheLossIsWeightDecay() {
        double lambda = 0.05;
        try (Problems.Problem decayed = Problems.logistic(DType.FLOAT64); Problems.Problem penalised = Problems.logistic(DType.FLOAT64);
             Optimizer withDecay = SGD.builder().lr(0.5).momentum(0.9).weightDecay(lambda).build(decayed.params());
             Optimizer plain = SGD.builder().lr(0.5).momentum(0.9).build(penalised.params())) {
            LossClosure penalty = () -> {
                plain.zeroGrad();
                try (Scope ignored = Scope.open()) {
                    Tensor loss = penalised.loss().add(Penalties.l2(penalised.params()).mul(lambda));
                    loss.backward();
                    return loss.item();
                }
            };
            for (int i = 0; i < 30; i++) {
                withDecay.step(decayed.closure());
                plain.step(penalty);
            }
            assertArrayEquals(decayed.values(), penalised.values(), 1e-13);
        }
    }

    @Test
    void noParameters() {
        assertEquals("l1: no parameters to penalise",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Penalties.l1(List.of())).getMessage());
    }
}
