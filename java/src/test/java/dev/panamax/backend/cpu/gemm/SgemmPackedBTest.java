package dev.panamax.backend.cpu.gemm;

import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.COLUMN_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.PADDED_COLUMN_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.PADDED_ROW_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.ROW_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.STRIDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.backend.cpu.gemm.TestMatrix.Layout;
import dev.panamax.testing.CpuThreads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The product with a pre-packed B: the double reference, the same bits as {@link Sgemm#sgemm}, any thread count. */
class SgemmPackedBTest {
    static final GemmCase.Product PACKED = (alpha, a, b, beta, c) -> {
        PackedB packed = Sgemm.packB(b.rows(), b.cols(), b.segment(), b.offset(), b.rowStride(), b.colStride());
        Sgemm.sgemmPackedB(c.rows(), alpha, a.segment(), a.offset(), a.rowStride(), a.colStride(), packed, beta,
                c.segment(), c.offset(), c.rowStride(), c.colStride());
    };

    /** Odd sizes around the kernel's 6-row and NR-column edges, the A block (mc) and depth block (1024) limits. */
    static Stream<GemmCase> cases() {
        return Stream.of(
                GemmCase.rowMajor(1, 1, 1),
                GemmCase.rowMajor(5, 3, 7).scalars(0.75f, -0.5f),
                GemmCase.rowMajor(37, 65, 129).layouts(ROW_MAJOR, COLUMN_MAJOR, ROW_MAJOR).scalars(1.5f, 0f),
                GemmCase.rowMajor(64, 131, 97).layouts(ROW_MAJOR, COLUMN_MAJOR, ROW_MAJOR).scalars(1f, 1f),
                GemmCase.rowMajor(67, 200, 33).layouts(COLUMN_MAJOR, ROW_MAJOR, PADDED_ROW_MAJOR).scalars(1f, 0.25f),
                GemmCase.rowMajor(301, 45, 517).layouts(PADDED_ROW_MAJOR, PADDED_COLUMN_MAJOR, ROW_MAJOR).scalars(-1f, 0f),
                GemmCase.rowMajor(13, 70, 2100).layouts(STRIDED, STRIDED, STRIDED).scalars(0.5f, 2f),
                GemmCase.rowMajor(64, 2048, 512).layouts(ROW_MAJOR, COLUMN_MAJOR, ROW_MAJOR).scalars(1f, 1f), // an LSTM step
                GemmCase.rowMajor(64, 512, 2048).scalars(1f, 0f)); // its backward: two depth blocks
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReferenceOnOneThread(GemmCase c) {
        CpuThreads.run(1, () -> c.check(PACKED));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReferenceOnTwoThreads(GemmCase c) {
        CpuThreads.run(2, () -> c.check(PACKED));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sameBitsAsSgemmOnOneAndTwoThreads(GemmCase c) {
        try (Arena arena = Arena.ofShared()) {
            var random = new Random(7L * c.m() + c.n() + 3L * c.k());
            TestMatrix a = TestMatrix.random(arena, c.m(), c.k(), c.aLayout(), random);
            TestMatrix b = TestMatrix.random(arena, c.k(), c.n(), c.bLayout(), random);
            TestMatrix c0 = TestMatrix.random(arena, c.m(), c.n(), c.cLayout(), random);
            MemorySegment plain = copy(arena, c0.segment());
            CpuThreads.run(1, () -> GemmCase.SGEMM.run(c.alpha(), a, b, c.beta(),
                    new TestMatrix(plain, c0.offset(), c0.rowStride(), c0.colStride(), c.m(), c.n())));
            for (int threads : new int[] {1, 2}) {
                CpuThreads.run(threads, () -> {
                    MemorySegment packed = copy(arena, c0.segment());
                    PACKED.run(c.alpha(), a, b, c.beta(), new TestMatrix(packed, c0.offset(), c0.rowStride(), c0.colStride(), c.m(), c.n()));
                    assertEquals(-1, plain.mismatch(packed), c + ": packed B on " + threads + " threads differs from sgemm");
                });
            }
        }
    }

    @Test
    void packedMatrixIsACopyReusableForManyProducts() {
        int m = 20;
        int n = 150;
        int k = 40;
        try (Arena arena = Arena.ofShared()) {
            var random = new Random(5);
            TestMatrix b = TestMatrix.random(arena, k, n, Layout.COLUMN_MAJOR, random);
            PackedB packed = Sgemm.packB(k, n, b.segment(), b.offset(), b.rowStride(), b.colStride());
            MemorySegment original = copy(arena, b.segment());
            b.segment().fill((byte) 0); // later changes to the source are not seen
            TestMatrix bAsPacked = new TestMatrix(original, b.offset(), b.rowStride(), b.colStride(), k, n);
            for (int step = 0; step < 3; step++) {
                TestMatrix a = TestMatrix.random(arena, m, k, ROW_MAJOR, random);
                TestMatrix c = TestMatrix.allocate(arena, m, n, ROW_MAJOR);
                Sgemm.sgemmPackedB(m, 1f, a.segment(), a.offset(), a.rowStride(), a.colStride(), packed, 0f,
                        c.segment(), c.offset(), c.rowStride(), c.colStride());
                double[][] expected = Reference.product(1, a.toDoubles(), bAsPacked.toDoubles(), 0, null, m, n, k);
                Reference.assertClose(expected, c, 1, a.maxAbs(), bAsPacked.maxAbs(), "step " + step);
            }
        }
    }

    @Test
    void emptyDepthScalesC() {
        try (Arena arena = Arena.ofShared()) {
            TestMatrix c = TestMatrix.random(arena, 3, 4, ROW_MAJOR, new Random(1));
            float before = c.get(2, 3);
            PackedB packed = Sgemm.packB(0, 4, arena.allocate(4), 0, 4, 1);
            Sgemm.sgemmPackedB(3, 1f, arena.allocate(4), 0, 0, 1, packed, 0.5f, c.segment(), c.offset(), c.rowStride(), c.colStride());
            assertEquals(0.5f * before, c.get(2, 3));
        }
    }

    @Test
    void rejectsOperandsOutsideTheirSegments() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment b = arena.allocate(4L * 6 * 5);
            assertThrows(IllegalArgumentException.class, () -> Sgemm.packB(6, 6, b, 0, 6, 1));
            PackedB packed = Sgemm.packB(6, 5, b, 0, 5, 1);
            MemorySegment a = arena.allocate(4L * 4 * 6);
            MemorySegment c = arena.allocate(4L * 4 * 5);
            assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.sgemmPackedB(5, 1f, a, 0, 6, 1, packed, 0f, c, 0, 5, 1)); // A has 4 rows
            assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.sgemmPackedB(4, 1f, a, 0, 6, 1, null, 0f, c, 0, 5, 1));
            assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.sgemmPackedB(4, 1f, a, 0, 6, 1, packed, 0f, c.asReadOnly(), 0, 5, 1));
        }
    }

    private static MemorySegment copy(Arena arena, MemorySegment source) {
        return arena.allocate(source.byteSize(), 4).copyFrom(source);
    }
}
