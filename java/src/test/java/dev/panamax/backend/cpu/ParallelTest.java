package dev.panamax.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.testing.CpuThreads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The team behind {@link Parallel}: every chunk exactly once, failures reach the caller, nesting and concurrent callers. */
class ParallelTest {
    @Test
    void everyChunkRunsOnceWhateverTheThreadCount() {
        for (int threads : new int[] {1, 2, 3}) {
            CpuThreads.run(threads, () -> {
                for (int chunks : new int[] {1, 2, 7, 256}) {
                    for (int round = 0; round < 50; round++) {
                        AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                        Parallel.forChunks(chunks, runs::incrementAndGet);
                        for (int c = 0; c < chunks; c++) {
                            assertEquals(1, runs.get(c), threads + " threads, " + chunks + " chunks: chunk " + c);
                        }
                    }
                }
            });
        }
    }

    @Test
    void writesOfEveryChunkAreVisibleToTheCaller() {
        CpuThreads.run(2, () -> {
            for (int round = 0; round < 200; round++) {
                long[] out = new long[64];
                int value = round;
                Parallel.forChunks(out.length, c -> out[c] = value + c);
                for (int c = 0; c < out.length; c++) {
                    assertEquals(round + c, out[c]);
                }
            }
        });
    }

    @Test
    void aRegionInsideARegionRunsInline() {
        CpuThreads.run(2, () -> {
            AtomicIntegerArray runs = new AtomicIntegerArray(8 * 8);
            Parallel.forChunks(8, outer -> Parallel.forChunks(8, inner -> runs.incrementAndGet(outer * 8 + inner)));
            for (int i = 0; i < 64; i++) {
                assertEquals(1, runs.get(i), "pair " + i);
            }
        });
    }

    @Test
    void aFailingChunkThrowsInTheCallerAndTheTeamGoesOn() {
        CpuThreads.run(2, () -> {
            IllegalArgumentException failure = new IllegalArgumentException("chunk 5");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> Parallel.forChunks(16, c -> {
                if (c == 5) {
                    throw failure;
                }
            }));
            assertSame(failure, thrown);
            AtomicIntegerArray runs = new AtomicIntegerArray(16);
            Parallel.forChunks(16, runs::incrementAndGet);
            for (int c = 0; c < 16; c++) {
                assertEquals(1, runs.get(c));
            }
        });
    }

    @Test
    void concurrentCallersEachGetEveryChunk() throws Exception {
        CpuThreads.run(2, () -> {
            ExecutorService callers = Executors.newFixedThreadPool(3);
            try {
                Future<?>[] done = new Future<?>[3];
                for (int i = 0; i < done.length; i++) {
                    done[i] = callers.submit(() -> {
                        for (int round = 0; round < 300; round++) {
                            AtomicIntegerArray runs = new AtomicIntegerArray(32);
                            Parallel.forChunks(32, runs::incrementAndGet);
                            for (int c = 0; c < 32; c++) {
                                assertEquals(1, runs.get(c));
                            }
                        }
                    });
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                callers.shutdown();
            }
        });
    }
}
