package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.backend.cuda.CudaBackends;
import dev.panamax.ops.Convolution;
import dev.panamax.ops.Loss;
import dev.panamax.ops.Pooling;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.SGD;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.ScopePerTest;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Device memory stays flat over a long training loop; transfers and use-after-close behave as on the CPU. */
@Tag("gpu")
@ExtendWith(ScopePerTest.class)
class CudaMemoryGpuTest {
    private static final int STEPS = 10_000;

    @Test
    void deviceMemoryIsFlatOverTenThousandTrainingSteps() {
        Device gpu = GpuDevice.get();
        Generator gen = new Generator(1);
        MemoryStats.settled(); // earlier tests' unclosed tensors must not be collected (and their device memory freed) mid-loop
        Tensor w = Tensor.randn(gen, 4, 1, 3, 3).mul(0.3).to(gpu).detach().requiresGrad(true);
        Tensor v = Tensor.randn(gen, 4 * 3 * 3, 10).mul(0.1).to(gpu).detach().requiresGrad(true);
        Tensor x = Tensor.randn(gen, 8, 1, 8, 8).to(gpu);
        Tensor y = Tensor.randint(gen, 0, 10, 8).to(gpu);
        try (Optimizer opt = SGD.builder().lr(0.01).momentum(0.9).build(List.of(w, v))) { // it frees its momentum buffers
            long[] bytes = new long[2];
            long[] tensors = new long[2];
            double first = 0;
            double last = 0;
            for (int step = 0; step < STEPS; step++) {
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    Tensor h = Pooling.maxPool2d(Convolution.conv2d(x, w, null).relu(), 2);
                    Tensor loss = Loss.crossEntropy(h.flatten(1, -1).matmul(v), y);
                    loss.backward();
                    opt.step();
                    if (step == 0 || step == STEPS - 1) {
                        double l = loss.item();
                        if (step == 0) {
                            first = l;
                        } else {
                            last = l;
                        }
                    }
                }
                if (step == 100 || step == STEPS - 1) {
                    int k = step == 100 ? 0 : 1;
                    bytes[k] = CudaBackends.deviceBytesInUse();
                    tensors[k] = MemoryStats.now().liveTensors();
                }
            }
            assertEquals(bytes[0], bytes[1], "device bytes in use after step 100 and after step " + STEPS);
            assertEquals(tensors[0], tensors[1], "live tensors after step 100 and after step " + STEPS);
            assertTrue(last < first, "the loop learned something: loss " + first + " -> " + last);
        }
    }

    @Test
    void everyDtypeRoundTripsAndUseAfterCloseThrows() {
        Device gpu = GpuDevice.get();
        for (var dtype : dev.panamax.tensor.DType.values()) {
            try (Tensor c = Tensor.arange(0, 7, 1, dtype); Tensor g = c.to(gpu); Tensor back = g.to(Device.CPU)) {
                CudaParity.assertSame(dtype.pyName() + " round trip", c, back);
                assertEquals(gpu, g.device());
            }
        }
        Tensor g = Tensor.ones(3).to(gpu);
        g.close();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, g::sum);
        assertTrue(e.getMessage().contains("used after close()"), e.getMessage());
    }

    @Test
    void largeTransfersCrossTheStagingBufferInChunks() {
        Device gpu = GpuDevice.get();
        try (Tensor c = Tensor.rand(new Generator(2), 3_000_001); Tensor g = c.to(gpu); Tensor back = g.to(Device.CPU)) {
            CudaParity.assertSame("12 MB round trip", c, back);
        }
    }
}
