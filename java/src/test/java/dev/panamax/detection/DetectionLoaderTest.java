package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Seeded order, every image once, the same batches with and without prefetch. */
class DetectionLoaderTest {
    /** Image i is a 1×2×2 tensor holding i, without objects. */
    private static final DetectionDataset NUMBERED = new DetectionDataset() {
        @Override
        public long size() {
            return 10;
        }

        @Override
        public DetectionSample get(long index) {
            return new DetectionSample(index, Tensor.full(index, 1, 2, 2), new Target(Tensor.zeros(0, 4), Tensor.zeros(DType.INT64, 0)),
                    List.of());
        }
    };

    private static List<List<Long>> order(DetectionLoader loader, long epoch) {
        List<List<Long>> batches = new ArrayList<>();
        try (DetectionLoader.Epoch e = loader.epoch(epoch)) {
            while (e.hasNext()) {
                try (DetectionBatch b = e.next()) {
                    batches.add(b.samples().stream().map(DetectionSample::imageId).toList());
                    assertEquals(b.samples().getFirst().imageId(), (long) b.images().getFirst().toFloatArray()[0], "the image is the sample's");
                }
            }
            assertThrows(NoSuchElementException.class, e::next);
        }
        return batches;
    }

    @Test
    void shufflesBySeedAndEpochAndPrefetchChangesNothing() {
        try (DetectionLoader plain = new DetectionLoader(NUMBERED, 4, true, 7, false);
             DetectionLoader prefetching = new DetectionLoader(NUMBERED, 4, true, 7, true);
             DetectionLoader ordered = new DetectionLoader(NUMBERED, 4, false, 7, true)) {
            assertEquals(3, plain.numBatches());
            List<List<Long>> first = order(plain, 0);
            assertEquals(List.of(4, 4, 2), first.stream().map(List::size).toList());
            assertEquals(LongStream.range(0, 10).boxed().toList(), first.stream().flatMap(List::stream).sorted().toList(), "each image once");
            assertEquals(first, order(prefetching, 0));
            assertEquals(first, order(plain, 0), "the same epoch again: the same batches");
            assertNotEquals(first, order(plain, 1), "another epoch: another order");
            assertEquals(List.of(List.of(0L, 1L, 2L, 3L), List.of(4L, 5L, 6L, 7L), List.of(8L, 9L)), order(ordered, 3));
        }
    }

    @Test
    void anEpochClosedEarlyFreesItsPrefetchedBatch() {
        MemoryStats before = Leaks.baseline();
        try (DetectionLoader loader = new DetectionLoader(NUMBERED, 3, true, 1, true); DetectionLoader.Epoch e = loader.epoch(0)) {
            e.next().close();
        }
        Leaks.assertNoneSince(before, "an epoch closed after one of its four batches");
    }
}
