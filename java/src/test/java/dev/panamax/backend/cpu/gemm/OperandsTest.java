package dev.panamax.backend.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperandsTest {
    @ParameterizedTest(name = "{0}x{1} strides {2},{3}: {4}")
    @CsvSource({
        "4, 5, 5, 1, true",   // row-major
        "4, 5, 1, 4, true",   // column-major
        "4, 5, 7, 1, true",   // padded rows
        "4, 5, 4, 1, false",  // rows overlap
        "4, 5, 0, 1, false",  // every row is the same memory
        "1, 5, 0, 1, true",   // a single row may have any row stride
        "4, 1, 1, 0, true",   // a single column may have any column stride
        "4, 5, 0, 0, false",
        "1, 1, 0, 0, true",
    })
    void disjointElements(long rows, long cols, long rowStride, long colStride, boolean disjoint) {
        assertEquals(disjoint, Operands.disjointElements(rows, cols, rowStride, colStride));
    }
}
