package dev.panamax.backend.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.testing.CpuThreads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Batched products: each matrix of the batch against the reference, broadcast operands, thread independence. */
class SgemmBatchedTest {
    /** A batch of row-major matrices, one after the other, {@code stride} floats apart (0: one shared matrix). */
    private record Batch(MemorySegment segment, int rows, int cols, long stride) {
        static Batch random(Arena arena, int batch, int rows, int cols, long stride, Random random) {
            long count = (batch - 1) * stride + (long) rows * cols;
            MemorySegment s = arena.allocate(count * Float.BYTES, 4);
            for (long i = 0; i < count; i++) {
                s.setAtIndex(FloatMatrix.FLOAT, i, random.nextFloat() * 2 - 1);
            }
            return new Batch(s, rows, cols, stride);
        }

        TestMatrix matrix(int t) {
            return new TestMatrix(segment, t * stride, cols, 1, rows, cols);
        }
    }

    @ParameterizedTest(name = "batch {0} of {1}x{2}x{3}, B shared: {4}")
    @CsvSource({
        "5, 7, 9, 11, false",     // small: parallel over the batch
        "5, 7, 9, 11, true",
        "3, 130, 140, 150, true", // large: parallel inside each product
        "1, 40, 50, 60, false",
    })
    void everyMatrixMatchesReference(int batch, int m, int n, int k, boolean shareB) {
        var random = new Random(batch + m);
        try (Arena arena = Arena.ofShared()) {
            Batch a = Batch.random(arena, batch, m, k, (long) m * k + 3, random);
            Batch b = Batch.random(arena, batch, k, n, shareB ? 0 : (long) k * n, random);
            Batch c = Batch.random(arena, batch, m, n, (long) m * n, random);
            double[][][] expected = new double[batch][][];
            for (int t = 0; t < batch; t++) {
                expected[t] = Reference.product(1.5, a.matrix(t).toDoubles(), b.matrix(t).toDoubles(), -1,
                        c.matrix(t).toDoubles(), m, n, k);
            }
            Sgemm.sgemmBatched(batch, m, n, k, 1.5f, a.segment(), 0, k, 1, a.stride(), b.segment(), 0, n, 1, b.stride(),
                    -1f, c.segment(), 0, n, 1, c.stride());
            for (int t = 0; t < batch; t++) {
                Reference.assertClose(expected[t], c.matrix(t), 1.5, 1, 1, "batch entry " + t);
            }
        }
    }

    @ParameterizedTest(name = "batch {0} of {1}x{2}x{3}")
    @CsvSource({"6, 5, 6, 7", "4, 100, 90, 80"})
    void sharedOutputWithBetaOneSumsTheBatch(int batch, int m, int n, int k) {
        var random = new Random(7);
        try (Arena arena = Arena.ofShared()) {
            Batch a = Batch.random(arena, batch, m, k, (long) m * k, random);
            Batch b = Batch.random(arena, batch, k, n, (long) k * n, random);
            Batch c = Batch.random(arena, 1, m, n, 0, random);
            double[][] expected = c.matrix(0).toDoubles();
            for (int t = 0; t < batch; t++) {
                expected = Reference.product(1, a.matrix(t).toDoubles(), b.matrix(t).toDoubles(), 1, expected, m, n, k);
            }
            Sgemm.sgemmBatched(batch, m, n, k, 1f, a.segment(), 0, k, 1, a.stride(), b.segment(), 0, n, 1, b.stride(),
                    1f, c.segment(), 0, n, 1, 0);
            Reference.assertClose(expected, c.matrix(0), 1, batch, 1, "sum over the batch");
        }
    }

    @ParameterizedTest(name = "batch {0} of {1}x{2}x{3}")
    @CsvSource({"64, 12, 10, 9", "3, 200, 150, 100"})
    void oneAndTwoThreadsGiveIdenticalBits(int batch, int m, int n, int k) {
        var random = new Random(11);
        try (Arena arena = Arena.ofShared()) {
            Batch a = Batch.random(arena, batch, m, k, (long) m * k, random);
            Batch b = Batch.random(arena, batch, k, n, 0, random);
            MemorySegment one = arena.allocate((long) batch * m * n * Float.BYTES);
            MemorySegment two = arena.allocate((long) batch * m * n * Float.BYTES);
            Consumer<MemorySegment> product = c -> Sgemm.sgemmBatched(batch, m, n, k, 1f, a.segment(), 0, k, 1, a.stride(),
                    b.segment(), 0, n, 1, 0, 0f, c, 0, n, 1, (long) m * n);
            CpuThreads.run(1, () -> product.accept(one));
            CpuThreads.run(2, () -> product.accept(two));
            assertEquals(-1, one.mismatch(two), "1 and 2 threads differ");
        }
    }
}
