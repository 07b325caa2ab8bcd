package dev.panamax.backend.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.testing.CpuThreads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The thread count changes who computes each element, never how: results are bit-identical. */
class SgemmThreadsTest {
    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({
        "257, 300, 259", // both dimensions split
        "1500, 20, 70",  // rows split
        "20, 1500, 70",  // columns split
        "33, 97, 2100",  // several depth blocks
    })
    void oneAndTwoThreadsGiveIdenticalBits(int m, int n, int k) {
        try (Arena arena = Arena.ofShared()) {
            var random = new Random(m * 31L + n);
            TestMatrix a = TestMatrix.random(arena, m, k, TestMatrix.Layout.ROW_MAJOR, random);
            TestMatrix b = TestMatrix.random(arena, k, n, TestMatrix.Layout.COLUMN_MAJOR, random);
            TestMatrix c0 = TestMatrix.random(arena, m, n, TestMatrix.Layout.ROW_MAJOR, random);
            Consumer<MemorySegment> product = c -> Sgemm.sgemm(m, n, k, 0.5f,
                    a.segment(), a.offset(), a.rowStride(), a.colStride(),
                    b.segment(), b.offset(), b.rowStride(), b.colStride(), 0.25f, c, 0, n, 1);
            MemorySegment one = arena.allocate(c0.segment().byteSize()).copyFrom(c0.segment());
            MemorySegment two = arena.allocate(c0.segment().byteSize()).copyFrom(c0.segment());
            CpuThreads.run(1, () -> product.accept(one));
            CpuThreads.run(2, () -> product.accept(two));
            assertEquals(-1, one.mismatch(two), "1 and 2 threads differ");
        }
    }
}
