package dev.panamax.backend.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments are refused before any memory is touched, with a message naming the operand and sizes. */
class SgemmArgumentsTest {
    private static final Arena ARENA = Arena.ofAuto();
    private static final MemorySegment A = ARENA.allocate(6L * 4 * Float.BYTES); // 6x4
    private static final MemorySegment B = ARENA.allocate(4L * 5 * Float.BYTES); // 4x5
    private static final MemorySegment C = ARENA.allocate(6L * 5 * Float.BYTES); // 6x5

    private static void assertRefused(Executable call, String... fragments) {
        var e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    @Test
    void shortSegmentsAreNamed() {
        assertRefused(() -> Sgemm.sgemm(6, 5, 4, 1f, A, 1, 4, 1, B, 0, 5, 1, 0f, C, 0, 5, 1),
                "sgemm", "operand a", "6x4", "offset 1", "reaches element 24", "holds 24 floats");
        assertRefused(() -> Sgemm.sgemm(6, 5, 4, 1f, A, 0, 4, 1, B, 0, 6, 1, 0f, C, 0, 5, 1),
                "operand b", "4x5", "strides 6,1", "holds 20 floats");
        assertRefused(() -> Sgemm.sgemm(7, 5, 4, 1f, A, 0, 0, 1, B, 0, 5, 1, 0f, C, 0, 5, 1),
                "operand c", "7x5", "holds 30 floats");
    }

    @Test
    void batchExtentsAreChecked() {
        assertRefused(() -> Sgemm.sgemmBatched(2, 6, 5, 4, 1f, A, 0, 4, 1, 0, B, 0, 5, 1, 0, 0f, C, 0, 5, 1, 30),
                "sgemmBatched", "operand c", "batch 2", "batch stride 30");
    }

    @Test
    void negativeSizesAndStridesAreRefused() {
        assertRefused(() -> Sgemm.sgemm(-1, 5, 4, 1f, A, 0, 4, 1, B, 0, 5, 1, 0f, C, 0, 5, 1), "m=-1");
        assertRefused(() -> Sgemm.sgemm(6, 5, 4, 1f, A, 0, -4, 1, B, 0, 5, 1, 0f, C, 0, 5, 1),
                "operand a", "must be non-negative");
        assertRefused(() -> Sgemm.sgemm(6, 5, 4, 1f, A, -1, 4, 1, B, 0, 5, 1, 0f, C, 0, 5, 1), "operand a");
    }

    @Test
    void overflowingExtentsAreRefused() {
        assertRefused(() -> Sgemm.sgemm(6, 5, 4, 1f, A, 0, Long.MAX_VALUE / 2, 1, B, 0, 5, 1, 0f, C, 0, 5, 1),
                "operand a", "overflows");
    }

    @Test
    void readOnlyOutputIsRefused() {
        assertRefused(() -> Sgemm.sgemm(6, 5, 4, 1f, A, 0, 4, 1, B, 0, 5, 1, 0f, C.asReadOnly(), 0, 5, 1),
                "operand c", "read-only");
    }

    @Test
    void nullSegmentIsRefused() {
        assertRefused(() -> Sgemm.sgemm(6, 5, 4, 1f, A, 0, 4, 1, null, 0, 5, 1, 0f, C, 0, 5, 1), "operand b", "null");
    }

    @Test
    void dgemmChecksInDoubles() {
        assertRefused(() -> Dgemm.dgemm(3, 1, 5, 1, A, 0, 5, 1, B, 0, 1, 1, 0, C, 0, 1, 1),
                "dgemm", "operand a", "3x5", "reaches element 14", "holds 12 doubles");
    }
}
