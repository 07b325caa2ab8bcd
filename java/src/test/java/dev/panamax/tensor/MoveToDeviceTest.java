package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.panamax.testing.Leaks;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#moveTo(Device)} on any machine: the refusals are checked before the device is
 * touched, so cuda:0 serves as the target here with or without a GPU. The move itself is in
 * dev.panamax.cuda.CudaModuleToGpuTest.
 */
class MoveToDeviceTest {
    private static final Device GPU = Device.cuda(0);

    @Test
    void movingToItsOwnDeviceChangesNothing() {
        MemoryStats before = Leaks.baseline();
        try (Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true).name("w")) {
            var operand = w.operand();
            assertSame(w, w.moveTo(Device.CPU));
            assertSame(operand, w.operand());
            assertArrayEquals(new float[] {1, 2, 3}, w.toFloatArray());
        }
        Leaks.assertNoneSince(before, "moveTo(cpu) of a cpu tensor");
    }

    @Test
    void refusesNonLeavesSharedMemoryGraphsStillToRunAndClosedTensors() {
        MemoryStats before = Leaks.baseline();
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true).name("w");

            Tensor y = w.mul(2).name("y");
            String nonLeaf = assertThrows(IllegalStateException.class, () -> y.moveTo(GPU)).getMessage();
            assertTrue(nonLeaf.contains("'y'") && nonLeaf.contains("only leaves"), nonLeaf);

            String held = assertThrows(IllegalStateException.class, () -> w.moveTo(GPU)).getMessage();
            assertTrue(held.contains("'w'") && held.contains("recorded graph"), held);
            y.close();

            Tensor view = w.detach();
            String shared = assertThrows(IllegalStateException.class, () -> w.moveTo(GPU)).getMessage();
            assertTrue(shared.contains("'w'") && shared.contains("shared with other views"), shared);
            view.close();

            w.close();
            String closed = assertThrows(IllegalStateException.class, () -> w.moveTo(Device.CPU)).getMessage();
            assertTrue(closed.contains("'w'") && closed.contains("after close()"), closed);
        }
        Leaks.assertNoneSince(before, "refused moves");
    }

    @Test
    void anUnusableDeviceLeavesTheTensorAsItWas() {
        assumeFalse(Device.whyNotCuda().isEmpty(), "CUDA is usable here");
        MemoryStats before = Leaks.baseline();
        try (Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true).name("w")) {
            String why = assertThrows(IllegalStateException.class, () -> w.moveTo(GPU)).getMessage();
            assertTrue(why.contains(Device.whyNotCuda()) || Device.whyNotCuda().contains(why), why);
            assertSame(Device.CPU, w.device());
            assertArrayEquals(new float[] {1, 2, 3}, w.toFloatArray());
        }
        Leaks.assertNoneSince(before, "a move to an unusable device");
    }
}
