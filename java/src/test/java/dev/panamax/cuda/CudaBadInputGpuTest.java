package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.ops.Loss;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.ScopePerTest;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad inputs on CUDA tensors fail exactly as on CPU tensors (the ops check before any kernel runs),
 * and leave the GPU usable: no crash, no sticky CUDA error.
 */
@Tag("gpu")
@ExtendWith(ScopePerTest.class)
class CudaBadInputGpuTest {
    /** The op's exception on CPU inputs and on the same inputs on the GPU: same type, same message. */
    private static void sameFailure(Function<Tensor[], Tensor> op, Tensor... cpuInputs) {
        Device gpu = GpuDevice.get();
        Tensor[] gpuInputs = new Tensor[cpuInputs.length];
        for (int i = 0; i < cpuInputs.length; i++) {
            gpuInputs[i] = cpuInputs[i].to(gpu);
        }
        RuntimeException onCpu = assertThrows(RuntimeException.class, run(op, cpuInputs));
        RuntimeException onGpu = assertThrows(RuntimeException.class, run(op, gpuInputs));
        assertEquals(onCpu.getClass(), onGpu.getClass(), onGpu.getMessage());
        assertEquals(onCpu.getMessage(), onGpu.getMessage());
        try (Tensor t = Tensor.ones(8).to(gpu); Tensor s = t.sum()) {
            assertEquals(8.0, s.item(), "the GPU still works after: " + onGpu.getMessage());
        }
    }

    private static Executable run(Function<Tensor[], Tensor> op, Tensor[] inputs) {
        return () -> op.apply(inputs).close();
    }

    @Test
    void shapeMismatchesOutOfRangeIndicesAndBadGeometry() {
        sameFailure(t -> t[0].add(t[1]), Tensor.ones(3, 4), Tensor.ones(5));
        sameFailure(t -> t[0].matmul(t[1]), Tensor.ones(3, 4), Tensor.ones(5, 2));
        sameFailure(t -> t[0].indexSelect(0, t[1]), Tensor.ones(3, 4), Tensor.of(new long[] {0, 3}, 2));
        sameFailure(t -> t[0].gather(1, t[1]), Tensor.ones(3, 4), Tensor.of(new long[] {-7}, 1, 1));
        sameFailure(t -> Loss.crossEntropy(t[0], t[1]), Tensor.ones(2, 3), Tensor.of(new long[] {0, 3}, 2));
        sameFailure(t -> Convolution.conv2d(t[0], t[1], null, ConvOptions.DEFAULT.groups(2)), Tensor.ones(1, 3, 5, 5), Tensor.ones(2, 3, 3, 3));
        sameFailure(t -> t[0].sum(new int[] {3}, false), Tensor.ones(2, 2));
    }

    @Test
    void mixingDevicesIsRefusedWithTheDevices() {
        Device gpu = GpuDevice.get();
        org.junit.jupiter.api.Assumptions.assumeFalse(gpu.equals(Device.CPU), "a dry run on the CPU has one device");
        try (Tensor a = Tensor.ones(3); Tensor b = Tensor.ones(3).to(gpu)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
            assertTrue(e.getMessage().contains("expected all tensors on the same device, got cpu and " + gpu), e.getMessage());
        }
    }
}
