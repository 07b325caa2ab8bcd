package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The parameter block cuLaunchKernel reads: one pointer per parameter, to its value. */
class KernelArgsTest {
    private static MemorySegment param(KernelArgs a, int i, long bytes) {
        return MemorySegment.ofAddress(a.pointers().getAtIndex(ValueLayout.JAVA_LONG, i)).reinterpret(bytes);
    }

    @Test
    void eachPointerLeadsToItsValueEightByteAligned() {
        KernelArgs a = KernelArgs.begin().i32(7).i64(-9).f32(1.5f).f64(2.25)
                .layout(KernelLayout.of(new long[] {4}, new long[] {1})).struct(12, s -> s.set(ValueLayout.JAVA_INT, 8, 42)).i32(3);
        assertEquals(7, param(a, 0, 4).get(ValueLayout.JAVA_INT, 0));
        assertEquals(-9, param(a, 1, 8).get(ValueLayout.JAVA_LONG, 0));
        assertEquals(1.5f, param(a, 2, 4).get(ValueLayout.JAVA_FLOAT, 0));
        assertEquals(2.25, param(a, 3, 8).get(ValueLayout.JAVA_DOUBLE, 0));
        MemorySegment layout = param(a, 4, KernelLayout.BYTES);
        assertEquals(1, layout.get(ValueLayout.JAVA_INT, 0));
        assertEquals(4, layout.get(ValueLayout.JAVA_LONG, 8));
        MemorySegment struct = param(a, 5, 12);
        assertEquals(0, struct.get(ValueLayout.JAVA_LONG, 0), "structs start zeroed");
        assertEquals(42, struct.get(ValueLayout.JAVA_INT, 8));
        assertEquals(3, param(a, 6, 4).get(ValueLayout.JAVA_INT, 0));
        for (int i = 0; i < 7; i++) {
            assertEquals(0, a.pointers().getAtIndex(ValueLayout.JAVA_LONG, i) % 8, "parameter " + i + " is 8-byte aligned");
        }
    }

    @Test
    void beginStartsAfreshAndTooManyParametersAreRefused() {
        KernelArgs.begin().i32(1).i32(2);
        KernelArgs a = KernelArgs.begin().i32(5);
        assertEquals(5, param(a, 0, 4).get(ValueLayout.JAVA_INT, 0));
        KernelArgs b = KernelArgs.begin();
        for (int i = 0; i < 32; i++) {
            b.i32(i);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.i32(32));
        assertEquals("kernel parameters exceed 32 values or 4096 bytes", e.getMessage());
    }
}
