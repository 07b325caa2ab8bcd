package dev.panamax.backend.cpu.gemm;

import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.COLUMN_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.ROW_MAJOR;
import static dev.panamax.backend.cpu.gemm.TestMatrix.Layout.STRIDED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The blocked algorithm with every kernel shape, not only the one this machine prefers, at sizes around
 * the shapes' edges and across the depth and width blocks.
 */
class BlockedGemmTest {
    static Stream<Arguments> edgeSizes() {
        List<Arguments> cases = new ArrayList<>();
        for (KernelShape shape : KernelShape.values()) {
            int mr = shape.rows;
            int nr = shape.columns();
            // 10 * mr + 4: a last micro-panel of 4 rows (the short kernel); the last: a column-major A packed
            // COLUMN_MAJOR_A_PANELS micro-panels at a time, twice, then a ragged rest.
            int[][] sizes = {{1, 1, 1}, {7, 7, 7}, {mr, nr, 3}, {mr + 1, nr - 1, 17}, {2 * mr - 1, 2 * nr + 1, 33}, {10 * mr + 4, nr + 5, 21},
                {(2 * Packing.COLUMN_MAJOR_A_PANELS + 1) * mr + 5, nr + 3, 19}};
            for (int[] s : sizes) {
                cases.add(Arguments.of(shape, GemmCase.rowMajor(s[0], s[1], s[2]).scalars(1f, 0f)));
                cases.add(Arguments.of(shape, GemmCase.rowMajor(s[0], s[1], s[2])
                        .layouts(COLUMN_MAJOR, COLUMN_MAJOR, STRIDED).scalars(-1.5f, 0.5f)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("edgeSizes")
    void everyShapeHandlesEdges(KernelShape shape, GemmCase c) {
        c.check(blocked(shape, 1));
    }

    static Stream<Arguments> blockBoundaries() {
        return Stream.of(KernelShape.values()).flatMap(shape -> Stream.of(
                // Three depth blocks: later blocks accumulate onto the first, which applies beta.
                Arguments.of(shape, GemmCase.rowMajor(9, 70, 2 * BlockedGemm.KC_MAX + 52).scalars(1f, 0f)),
                Arguments.of(shape, GemmCase.rowMajor(9, 70, 2 * BlockedGemm.KC_MAX + 52)
                        .layouts(COLUMN_MAJOR, ROW_MAJOR, ROW_MAJOR).scalars(0.5f, -2f)),
                // Two width blocks.
                Arguments.of(shape, GemmCase.rowMajor(5, BlockedGemm.NC_MAX + 37, 3).scalars(1f, 1f))));
    }

    @ParameterizedTest
    @MethodSource("blockBoundaries")
    void everyShapeCrossesBlockBoundaries(KernelShape shape, GemmCase c) {
        c.check(blocked(shape, 1));
    }

    @ParameterizedTest
    @MethodSource("edgeSizes")
    void threeThreadsSplitEdgesCorrectly(KernelShape shape, GemmCase c) {
        c.check(blocked(shape, 3));
    }

    @Test
    void aShortMicroPanelTakesTheFourRowKernelOfItsWidth() {
        assertEquals(KernelShape.ROWS4_VECTORS4, KernelShape.ROWS6_VECTORS4.forRows(4));
        assertEquals(KernelShape.ROWS4_VECTORS4, KernelShape.ROWS6_VECTORS4.forRows(1));
        assertEquals(KernelShape.ROWS6_VECTORS4, KernelShape.ROWS6_VECTORS4.forRows(5));
        assertEquals(KernelShape.ROWS4_VECTORS2, KernelShape.ROWS6_VECTORS2.forRows(3));
        assertEquals(KernelShape.ROWS4_VECTORS2, KernelShape.ROWS4_VECTORS2.forRows(2));
    }

    @Test
    void gridSplitsRowsOfATallProductAndColumnsOfAShortOne() {
        KernelShape shape = KernelShape.ROWS6_VECTORS4;
        var block = new SharedPanelsOfB(null, 0, 8, 0, 16 * shape.columns(), shape.columns(), new float[0], 2);
        assertEquals(4, block.units(), "16 panels: 2 units per thread");
        var tall = BlockedGemm.Grid.choose(shape, 2000, block, 2);
        assertEquals(2, tall.rowParts());
        assertEquals(1002, tall.rowEnd(0), "334 micro-panels, 167 each");
        var short_ = BlockedGemm.Grid.choose(shape, 6, block, 2);
        assertEquals(2, short_.colParts(), "one micro-panel of A: split B's units instead");
        assertEquals(2, short_.firstUnit(1));
        assertEquals(1, BlockedGemm.Grid.choose(shape, 2000, block, 1).parts(), "one thread, one part");
    }

    private static GemmCase.Product blocked(KernelShape shape, int threads) {
        return (alpha, a, b, beta, c) -> BlockedGemm.multiply(shape, c.rows(), c.cols(), a.cols(), alpha,
                new FloatMatrix(a.segment(), a.offset(), a.rowStride(), a.colStride()),
                new FloatMatrix(b.segment(), b.offset(), b.rowStride(), b.colStride()), beta,
                new FloatMatrix(c.segment(), c.offset(), c.rowStride(), c.colStride()), threads);
    }
}
