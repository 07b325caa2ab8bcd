package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.models.LeNet5;
import dev.panamax.nn.Module;
import dev.panamax.ops.Loss;
import dev.panamax.optim.Adam;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerState;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code Module.to(cuda)}: the same tensors move with their gradients, and training there matches the CPU. */
@Tag("gpu")
class CudaModuleToGpuTest {
    @Test
    void aModuleMovesItsOwnTensorsWithTheirGradientsAndFreesTheOldMemory() {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        try (LeNet5 net = new LeNet5(10, 1, 28, new Generator(1)); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(2), 2, 1, 28, 28);
            net.forward(x).sum().backward();
            List<Tensor> params = net.parameters();
            List<float[]> values = params.stream().map(Tensor::toFloatArray).toList();
            List<float[]> grads = params.stream().map(p -> p.grad().toFloatArray()).toList();

            assertSame(net, net.to(gpu));
            assertEquals(gpu, net.device());
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                assertSame(p, net.parameters().get(i));
                assertEquals(gpu, p.device(), p.describe());
                assertTrue(p.requiresGrad() && p.isLeaf(), p.describe());
                assertEquals(gpu, p.grad().device(), p.describe());
                assertArrayEquals(values.get(i), p.toFloatArray(), p.describe());
                assertArrayEquals(grads.get(i), p.grad().toFloatArray(), p.describe());
            }
            net.to(Device.CPU);
            for (int i = 0; i < params.size(); i++) {
                assertEquals(Device.CPU, params.get(i).device());
                assertArrayEquals(values.get(i), params.get(i).toFloatArray(), "there and back");
            }
        }
        Leaks.assertNoneSince(before, "moving LeNet-5 to " + gpu + " and back");
    }

    /** LeNet-5 on the GPU and an identical copy on the CPU: three Adam steps on one batch agree. */
    @Test
    void adamStepsOnTheGpuMatchTheCpu() {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        try (LeNet5 cpuNet = new LeNet5(10, 1, 28, new Generator(3)); LeNet5 gpuNet = new LeNet5(10, 1, 28, new Generator(4));
             Scope s = Scope.open()) {
            gpuNet.loadStateDict(cpuNet.stateDict(), true);
            gpuNet.to(gpu);
            Tensor x = Tensor.randn(new Generator(5), 16, 1, 28, 28);
            Tensor y = Tensor.randint(new Generator(6), 0, 10, 16);
            Tensor xGpu = x.to(gpu);
            Tensor yGpu = y.to(gpu);
            try (Optimizer cpuAdam = Adam.builder().lr(1e-3).build(cpuNet.parameters());
                 Optimizer gpuAdam = Adam.builder().lr(1e-3).build(gpuNet.parameters())) {
                for (int step = 0; step < 3; step++) {
                    double cpuLoss = step(cpuNet, cpuAdam, x, y);
                    double gpuLoss = step(gpuNet, gpuAdam, xGpu, yGpu);
                    assertEquals(cpuLoss, gpuLoss, 1e-4 * Math.abs(cpuLoss), "loss of step " + step);
                }
                List<Tensor> cpuParams = cpuNet.parameters();
                List<Tensor> gpuParams = gpuNet.parameters();
                for (int i = 0; i < cpuParams.size(); i++) {
                    Tensor g = gpuParams.get(i);
                    assertEquals(gpu, g.device(), g.describe());
                    assertNotNull(g.grad(), g.describe());
                    assertEquals(gpu, g.grad().device(), g.describe());
                    assertClose(cpuParams.get(i).toFloatArray(), g.toFloatArray(), g.describe());
                }
                try (OptimizerState state = gpuAdam.stateDict()) {
                    state.state().values().forEach(ps -> ps.tensors().forEach((k, t) -> assertEquals(gpu, t.device(), k)));
                }
            }
        }
        Leaks.assertNoneSince(before, "three Adam steps on " + gpu);
    }

    private static double step(Module net, Optimizer adam, Tensor x, Tensor y) {
        try (Scope s = Scope.open()) {
            adam.zeroGrad();
            Tensor loss = Loss.crossEntropy(net.forward(x), y);
            loss.backward();
            adam.step();
            return loss.item();
        }
    }

    /** Relative L2 distance below 1e-4: a scalar-by-scalar bound would trip on Adam's sign-like first steps near zero gradients. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
            norm += expected[i] * (double) expected[i];
        }
        assertTrue(Math.sqrt(diff) <= 1e-4 * Math.sqrt(norm), what + ": relative distance " + Math.sqrt(diff / norm));
    }
}
