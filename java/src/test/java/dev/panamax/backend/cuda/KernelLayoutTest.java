package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The strided layouts handed to the kernels: dense runs merged, the C struct's bytes. */
class KernelLayoutTest {
    @Test
    void contiguousOperandsBecomeOneRun() {
        KernelLayout l = KernelLayout.merged(new long[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {12, 4, 1});
        assertArrayEquals(new long[] {24}, l.shape());
        assertArrayEquals(new long[] {1}, l.strides(1));
    }

    @Test
    void aTransposedOperandKeepsItsDims() {
        KernelLayout l = KernelLayout.merged(new long[] {3, 4}, new long[] {1, 3}, new long[] {4, 1});
        assertArrayEquals(new long[] {3, 4}, l.shape());
        assertArrayEquals(new long[] {1, 3}, l.strides(0));
        assertArrayEquals(new long[] {4, 1}, l.strides(1));
    }

    @Test
    void broadcastDimsMergeOnlyWithOtherBroadcastDims() {
        // [2, 3, 4] plus a [4] bias: the bias steps 0 over the first two dims, which merge; the last stays
        KernelLayout l = KernelLayout.merged(new long[] {2, 3, 4}, new long[] {0, 0, 1}, new long[] {12, 4, 1});
        assertArrayEquals(new long[] {6, 4}, l.shape());
        assertArrayEquals(new long[] {0, 1}, l.strides(0));
        assertArrayEquals(new long[] {4, 1}, l.strides(1));
    }

    @Test
    void sizeOneDimsAreDroppedWhateverTheirStride() {
        KernelLayout l = KernelLayout.merged(new long[] {1, 5, 1}, new long[] {99, 2, 77});
        assertArrayEquals(new long[] {5}, l.shape());
        assertArrayEquals(new long[] {2}, l.strides(0));
        assertEquals(0, KernelLayout.merged(new long[] {1, 1}, new long[] {3, 3}).rank());
    }

    @Test
    void theStructMatchesCommonCuh() {
        assertEquals(8 + 8 * 8 + 4 * 8 * 8, KernelLayout.BYTES);
        KernelLayout l = KernelLayout.of(new long[] {2, 3}, new long[] {3, 1}, new long[] {0, 5});
        try (Arena a = Arena.ofConfined()) {
            MemorySegment all = a.allocate(16 + KernelLayout.BYTES + 8);
            all.fill((byte) 0x55);
            l.writeTo(all, 16);
            MemorySegment s = all.asSlice(16);
            assertEquals(2, s.get(ValueLayout.JAVA_INT, 0));
            assertEquals(0, s.get(ValueLayout.JAVA_INT, 4));
            assertEquals(3, s.get(ValueLayout.JAVA_LONG, 8 + 8));
            assertEquals(1, s.get(ValueLayout.JAVA_LONG, 72 + 8), "strides[0][1]");
            assertEquals(5, s.get(ValueLayout.JAVA_LONG, 72 + 64 + 8), "strides[1][1]");
            assertEquals(0, s.get(ValueLayout.JAVA_LONG, 72 + 2 * 64), "unused operands are zero");
            assertEquals(0x5555555555555555L, all.get(ValueLayout.JAVA_LONG, 16 + KernelLayout.BYTES), "nothing written past the struct");
        }
    }

    @Test
    void moreThanEightDimsAfterMergingAreRefusedWithTheLayout() {
        long[] shape = new long[9];
        long[] strides = new long[9];
        for (int d = 0; d < 9; d++) {
            shape[d] = 2;
            strides[d] = 1L << (2 * (8 - d)); // every dim strided: nothing merges
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelLayout.merged(shape, strides));
        assertTrue(e.getMessage().contains("at most 8 dims") && e.getMessage().contains("[2, 2, 2, 2, 2, 2, 2, 2, 2]"), e.getMessage());
    }
}
