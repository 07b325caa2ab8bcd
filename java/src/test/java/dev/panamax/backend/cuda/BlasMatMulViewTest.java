package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** How cuBLAS (column-major) is told about each row-major, transposed or degenerate operand. */
class BlasMatMulViewTest {
    @Test
    void unitStrideDownTheColumnIsStoredAsIs() {
        // a column-major rows x cols matrix: element (i, j) at i + j * 7
        assertEquals(new BlasMatMul.View(false, 7), BlasMatMul.View.of(5, 3, 1, 7));
    }

    @Test
    void unitStrideAlongTheRowIsTheTransposeOfAStoredMatrix() {
        assertEquals(new BlasMatMul.View(true, 9), BlasMatMul.View.of(5, 3, 9, 1));
    }

    @Test
    void neitherStrideUnitNeedsACopy() {
        assertNull(BlasMatMul.View.of(5, 3, 2, 10));
    }

    @Test
    void aLeadingDimensionShorterThanTheColumnIsRefused() {
        assertNull(BlasMatMul.View.of(5, 3, 1, 4), "overlapping columns");
    }

    @Test
    void singleRowsAndColumnsIgnoreTheirStride() {
        assertEquals(new BlasMatMul.View(false, 5), BlasMatMul.View.of(5, 1, 1, 0));
        assertEquals(new BlasMatMul.View(false, 4), BlasMatMul.View.of(1, 3, 0, 4));
        assertEquals(new BlasMatMul.View(false, 1), BlasMatMul.View.of(1, 3, 0, 1), "a single row with unit column stride: ld 1");
        assertEquals(new BlasMatMul.View(true, 5), BlasMatMul.View.of(5, 1, 5, 9), "a single column along a stride of 5");
    }
}
