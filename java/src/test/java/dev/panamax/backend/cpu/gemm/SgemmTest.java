package dev.panamax.backend.cpu.gemm;

import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.COLUMN_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.PADDED_COLUMN_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.PADDED_ROW_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.ROW_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.STRIDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.backend.cpu.gemm.TestMatrix.Layout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Sgemm against the double-precision reference: transposes, strides, scalars, sizes. */
class SgemmTest {
    /** The four transpose cases: row-major is "N", column-major (a transposed row-major matrix) is "T". */
    private static final Layout[][] TRANSPOSES = {
        {ROW_MAJOR, ROW_MAJOR}, {COLUMN_MAJOR, ROW_MAJOR}, {ROW_MAJOR, COLUMN_MAJOR}, {COLUMN_MAJOR, COLUMN_MAJOR},
    };

    static Stream<GemmCase> smallCubes() {
        List<GemmCase> cases = new ArrayList<>();
        float[][] scalars = {{1f, 0f}, {1f, 1f}, {0.75f, -0.5f}};
        for (int size : new int[] {1, 7, 33}) {
            for (Layout[] t : TRANSPOSES) {
                for (float[] s : scalars) {
                    cases.add(GemmCase.rowMajor(size, size, size).layouts(t[0], t[1], ROW_MAJOR).scalars(s[0], s[1]));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("smallCubes")
    void smallCubesInEveryTransposeMatchReference(GemmCase c) {
        c.check(GemmCase.SGEMM);
    }

    static Stream<GemmCase> oddRectangles() {
        return Stream.of(TRANSPOSES).flatMap(t -> Stream.of(
                GemmCase.rowMajor(37, 65, 129).layouts(t[0], t[1], ROW_MAJOR).scalars(1.5f, 0f),
                GemmCase.rowMajor(37, 129, 65).layouts(t[0], t[1], ROW_MAJOR).scalars(1f, 0.5f)));
    }

    @ParameterizedTest
    @MethodSource("oddRectangles")
    void oddRectanglesInEveryTransposeMatchReference(GemmCase c) {
        c.check(GemmCase.SGEMM);
    }

    @Test
    void largeSquaresMatchReference() {
        GemmCase.rowMajor(1000, 1000, 1000).check(GemmCase.SGEMM);
        GemmCase.rowMajor(1023, 1023, 1023).layouts(COLUMN_MAJOR, COLUMN_MAJOR, ROW_MAJOR).scalars(1f, 1f)
                .check(GemmCase.SGEMM);
    }

    static Stream<GemmCase> stridedViews() {
        return Stream.of(
                GemmCase.rowMajor(45, 70, 50).layouts(STRIDED, STRIDED, ROW_MAJOR),
                GemmCase.rowMajor(45, 70, 50).layouts(STRIDED, STRIDED, STRIDED).scalars(2f, -1f),
                GemmCase.rowMajor(45, 70, 50).layouts(PADDED_ROW_MAJOR, PADDED_COLUMN_MAJOR, PADDED_ROW_MAJOR).scalars(1f, 0.25f),
                GemmCase.rowMajor(45, 70, 50).layouts(PADDED_COLUMN_MAJOR, PADDED_ROW_MAJOR, COLUMN_MAJOR),
                GemmCase.rowMajor(3, 5, 7).layouts(STRIDED, STRIDED, STRIDED).scalars(1f, 3f));
    }

    @ParameterizedTest
    @MethodSource("stridedViews")
    void stridedViewsMatchReference(GemmCase c) {
        c.check(GemmCase.SGEMM);
    }

    @Test
    void zeroStrideBroadcastsARowOfB() {
        int m = 20;
        int n = 70;
        int k = 40;
        var random = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            TestMatrix a = TestMatrix.random(arena, m, k, ROW_MAJOR, random);
            TestMatrix bRow = TestMatrix.random(arena, 1, n, ROW_MAJOR, random);
            var b = new TestMatrix(bRow.segment(), 0, 0, 1, k, n); // every row of B is bRow
            TestMatrix c = TestMatrix.allocate(arena, m, n, ROW_MAJOR);
            double[][] expected = Reference.product(1, a.toDoubles(), b.toDoubles(), 0, null, m, n, k);
            GemmCase.SGEMM.run(1f, a, b, 0f, c);
            Reference.assertClose(expected, c, 1, a.maxAbs(), b.maxAbs(), "B row stride 0");
        }
    }

    @Test
    void zeroDepthScalesCByBeta() {
        try (Arena arena = Arena.ofShared()) {
            TestMatrix a = TestMatrix.allocate(arena, 4, 0, ROW_MAJOR);
            TestMatrix b = TestMatrix.allocate(arena, 0, 5, ROW_MAJOR);
            TestMatrix c = TestMatrix.random(arena, 4, 5, ROW_MAJOR, new Random(1));
            float before = c.get(2, 3);
            GemmCase.SGEMM.run(1f, a, b, 2f, c);
            assertEquals(2 * before, c.get(2, 3));

            TestMatrix nanC = TestMatrix.allocate(arena, 4, 5, ROW_MAJOR);
            GemmCase.SGEMM.run(1f, a, b, 0f, nanC);
            assertEquals(0f, nanC.get(3, 4), "beta 0 must overwrite NaN without reading it");
        }
    }

    @Test
    void zeroAlphaIgnoresAAndB() {
        try (Arena arena = Arena.ofShared()) {
            TestMatrix a = TestMatrix.allocate(arena, 40, 30, ROW_MAJOR); // all NaN
            TestMatrix b = TestMatrix.allocate(arena, 30, 50, ROW_MAJOR);
            TestMatrix c = TestMatrix.random(arena, 40, 50, ROW_MAJOR, new Random(2));
            float before = c.get(39, 49);
            GemmCase.SGEMM.run(0f, a, b, 0.5f, c);
            assertEquals(0.5f * before, c.get(39, 49));
        }
    }

    @Test
    void emptyOutputTouchesNothing() {
        try (Arena arena = Arena.ofShared()) {
            TestMatrix a = TestMatrix.random(arena, 0, 8, ROW_MAJOR, new Random(3));
            TestMatrix b = TestMatrix.random(arena, 8, 9, ROW_MAJOR, new Random(3));
            TestMatrix c = TestMatrix.allocate(arena, 0, 9, ROW_MAJOR);
            GemmCase.SGEMM.run(1f, a, b, 0f, c);
            assertEquals(0, c.segment().byteSize());
        }
    }

    @Test
    void confinedSegmentsWorkFromTheirOwnerThread() {
        try (Arena arena = Arena.ofConfined()) {
            TestMatrix a = TestMatrix.random(arena, 300, 200, ROW_MAJOR, new Random(4));
            TestMatrix b = TestMatrix.random(arena, 200, 300, ROW_MAJOR, new Random(4));
            TestMatrix c = TestMatrix.allocate(arena, 300, 300, ROW_MAJOR);
            double[][] expected = Reference.product(1, a.toDoubles(), b.toDoubles(), 0, null, 300, 300, 200);
            GemmCase.SGEMM.run(1f, a, b, 0f, c);
            Reference.assertClose(expected, c, 1, a.maxAbs(), b.maxAbs(), "confined arena");
            assertTrue(c.gapsUntouched());
        }
    }

    @Test
    void heapSegmentsWork() {
        float[] a = {1, 2, 3, 4, 5, 6}; // 2x3
        float[] b = {1, 0, 0, 1, 1, 1}; // 3x2
        float[] c = new float[4];
        Sgemm.sgemm(2, 2, 3, 1f, MemorySegment.ofArray(a), 0, 3, 1, MemorySegment.ofArray(b), 0, 2, 1,
                0f, MemorySegment.ofArray(c), 0, 2, 1);
        assertEquals(List.of(4f, 5f, 10f, 11f), List.of(c[0], c[1], c[2], c[3]));
    }
}
