package dev.panamax.backend.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Dgemm against the reference, to within double rounding (relative 1e-13 of the largest term). */
class DgemmTest {
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** A row-major or column-major matrix, in its own segment, with extra offset and padding. */
    private record Dense(MemorySegment segment, long offset, long rowStride, long colStride, int rows, int cols) {
        static Dense random(Arena arena, int rows, int cols, boolean transposed, Random random) {
            long rs = transposed ? 1 : cols + 1;
            long cs = transposed ? rows + 2 : 1;
            long span = rows == 0 || cols == 0 ? 0 : (rows - 1) * rs + (cols - 1) * cs + 1;
            MemorySegment s = arena.allocate((span + 2) * Double.BYTES);
            s.fill((byte) 0xFF); // NaN everywhere but the elements
            var d = new Dense(s, 2, rs, cs, rows, cols);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    s.setAtIndex(DOUBLE, d.index(i, j), random.nextDouble() * 2 - 1);
                }
            }
            return d;
        }

        long index(int i, int j) {
            return offset + i * rowStride + j * colStride;
        }

        double[][] values() {
            double[][] v = new double[rows][cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    v[i][j] = segment.getAtIndex(DOUBLE, index(i, j));
                }
            }
            return v;
        }
    }

    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4} alpha={5} beta={6}")
    @CsvSource({
        "1, 1, 1, false, false, 1, 0",
        "7, 7, 7, true, false, 1, 1",
        "33, 33, 33, false, true, 2, -0.5",
        "37, 65, 129, true, true, 1, 0",
        "5, 4, 0, false, false, 1, 3",
        "6, 5, 9, false, false, 0, 0.5",
    })
    void matchesReference(int m, int n, int k, boolean transA, boolean transB, double alpha, double beta) {
        var random = new Random(m * 7L + k);
        try (Arena arena = Arena.ofConfined()) {
            Dense a = Dense.random(arena, m, k, transA, random);
            Dense b = Dense.random(arena, k, n, transB, random);
            Dense c = Dense.random(arena, m, n, false, random);
            if (beta == 0) {
                c.segment().fill((byte) 0xFF); // NaN must not leak through beta = 0
            }
            double[][] expected = Reference.product(alpha, a.values(), b.values(), beta, c.values(), m, n, k);
            Dgemm.dgemm(m, n, k, alpha, a.segment(), a.offset(), a.rowStride(), a.colStride(),
                    b.segment(), b.offset(), b.rowStride(), b.colStride(), beta,
                    c.segment(), c.offset(), c.rowStride(), c.colStride());
            double[][] actual = c.values();
            double tolerance = 1e-13 * Math.max(1, k);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(expected[i][j], actual[i][j], tolerance, "C(" + i + "," + j + ")");
                }
            }
        }
    }
}
