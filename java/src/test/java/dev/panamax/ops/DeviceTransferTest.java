package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Copies between backends read or write a side in host memory in place; each path keeps every element. */
class DeviceTransferTest {
    @Test
    void contiguousHostSourceIsWrittenAsItIs() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(1), 3, 5);
            Tensor slice = x.narrow(0, 1, 2); // contiguous, at an offset
            Tensor out = Tensor.empty(slice.shape(), DType.FLOAT32, Device.CPU);
            DeviceTransfer.copy(slice.backend(), slice.operand(), out.backend(), out.operand());
            assertArrayEquals(slice.toFloatArray(), out.toFloatArray());
        }
    }

    @Test
    void stridedSourceIsReadStraightIntoAHostDestination() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(2), 4, 6).transpose(0, 1);
            Tensor out = Tensor.empty(x.shape(), DType.FLOAT32, Device.CPU);
            DeviceTransfer.copy(x.backend(), x.operand(), out.backend(), out.operand());
            assertArrayEquals(x.contiguous().toFloatArray(), out.toFloatArray());
        }
    }
}
