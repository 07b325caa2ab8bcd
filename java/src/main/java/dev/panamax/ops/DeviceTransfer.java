package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Operand;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Copies between devices ({@code tensor.to(device)}), through host memory, with the gradient copied back. */
public final class DeviceTransfer {
    private DeviceTransfer() {}

    /** x on {@code device}: an alias when it is there already, else a contiguous copy; gradients go back to x's device. */
    public static Tensor to(Tensor x, Device device) {
        if (device.equals(x.device())) {
            return x.alias();
        }
        Tensor out = copy(x, device);
        if (!x.dtype().isFloatingPoint()) {
            return out;
        }
        Device back = x.device();
        return Autograd.record("ToDeviceBackward", out, (g, needs) -> new Tensor[] {copy(g, back)}, x);
    }

    /** A contiguous copy of x on device, outside autograd. */
    public static Tensor copy(Tensor x, Device device) {
        Tensor out = Tensor.empty(x.shape(), x.dtype(), device);
        copy(x.backend(), x.operand(), out.backend(), out.operand());
        return out;
    }

    /** Copies {@code src} (any layout) into the contiguous {@code dst} of the same dtype and size, on any two devices. */
    public static void copy(Backend srcBackend, Operand src, Backend dstBackend, Operand dst) {
        long bytes = src.numel() * src.dtype().byteSize();
        if (bytes == 0) {
            return;
        }
        // a side in host memory is read or written in place: no staging copy per batch sent to a GPU
        MemorySegment srcHost = hostBytes(src);
        MemorySegment dstHost = hostBytes(dst);
        if (srcHost != null) {
            dstBackend.write(srcHost, dst);
        } else if (dstHost != null) {
            srcBackend.read(src, dstHost);
        } else {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment host = arena.allocate(bytes, 8);
                srcBackend.read(src, host);
                dstBackend.write(host, dst);
            }
        }
    }

    /** The operand's elements as one stretch of host memory, or null when they are not (device memory, or strided). */
    private static MemorySegment hostBytes(Operand op) {
        MemorySegment memory = op.storage().hostMemory();
        if (memory == null || !op.isContiguous()) {
            return null;
        }
        long size = op.dtype().byteSize();
        return memory.asSlice(op.offset() * size, op.numel() * size);
    }
}
