package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Consumer;

/**
 * The parameters of one kernel launch as cuLaunchKernel takes them: an array of pointers, one per
 * parameter, to its value. One reusable native buffer per thread (cuLaunchKernel copies the
 * values at the call), so a launch allocates nothing.
 */
final class KernelArgs {
    private static final int MAX_PARAMS = 32;
    private static final long VALUE_BYTES = 4096;
    private static final ThreadLocal<KernelArgs> BUFFER = ThreadLocal.withInitial(KernelArgs::new);

    private final MemorySegment values;
    private final long base;
    private final MemorySegment pointers;
    private int count;
    private long used;

    private KernelArgs() {
        Arena arena = Arena.ofAuto();
        values = arena.allocate(VALUE_BYTES, 16);
        base = values.address();
        pointers = arena.allocate(ValueLayout.ADDRESS, MAX_PARAMS);
    }

    /** This thread's buffer, emptied. */
    static KernelArgs begin() {
        KernelArgs a = BUFFER.get();
        a.count = 0;
        a.used = 0;
        return a;
    }

    /** Reserves the next parameter's value (8-byte aligned) and registers its address; returns its offset in the buffer. */
    private long reserve(long bytes) {
        if (count == MAX_PARAMS || used + bytes > VALUE_BYTES) {
            throw new IllegalStateException("kernel parameters exceed " + MAX_PARAMS + " values or " + VALUE_BYTES + " bytes");
        }
        long at = used;
        pointers.setAtIndex(ValueLayout.JAVA_LONG, count++, base + at); // raw addresses: no segment object per parameter
        used += (bytes + 7) & ~7L;
        return at;
    }

    KernelArgs i32(int v) {
        values.set(ValueLayout.JAVA_INT, reserve(4), v);
        return this;
    }

    KernelArgs i64(long v) {
        values.set(ValueLayout.JAVA_LONG, reserve(8), v);
        return this;
    }

    KernelArgs f32(float v) {
        values.set(ValueLayout.JAVA_FLOAT, reserve(4), v);
        return this;
    }

    KernelArgs f64(double v) {
        values.set(ValueLayout.JAVA_DOUBLE, reserve(8), v);
        return this;
    }

    /** A device pointer. */
    KernelArgs ptr(long address) {
        return i64(address);
    }

    /** A pointer to an operand's element [0, 0, ...] (null for an absent operand). */
    KernelArgs ptr(Operand op) {
        return i64(op == null ? 0 : CudaStorage.address(op));
    }

    /** An operand's pointer followed by its dtype code. */
    KernelArgs operand(Operand op) {
        return ptr(op).i32(op == null ? 0 : op.dtype().ordinal());
    }

    KernelArgs layout(KernelLayout layout) {
        layout.writeTo(values, reserve(KernelLayout.BYTES));
        return this;
    }

    /** A struct parameter of {@code bytes} bytes, zeroed, then written by {@code writer}. */
    KernelArgs struct(long bytes, Consumer<MemorySegment> writer) {
        MemorySegment s = values.asSlice(reserve(bytes), bytes);
        s.fill((byte) 0);
        writer.accept(s);
        return this;
    }

    MemorySegment pointers() {
        return pointers;
    }
}
