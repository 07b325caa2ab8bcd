package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.data.transforms.Normalize;
import dev.panamax.data.transforms.RandomCrop;
import dev.panamax.data.transforms.RandomHorizontalFlip;
import dev.panamax.data.transforms.Transform;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.Leaks;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Sample i is a 1×3×4 image whose pixel p is i + p/16 (so its first pixel names it), labelled i % 10. */
    private static TensorDataset images(int n) {
        float[] x = new float[n * 12];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 12; p++) {
                x[i * 12 + p] = i + p / 16f;
            }
            y[i] = i % 10;
        }
        try (Tensor xs = Tensor.of(x, n, 1, 3, 4); Tensor ys = Tensor.of(y, n)) {
            return new TensorDataset(xs, ys);
        }
    }

    /** Every batch of one epoch as (inputs, labels) arrays; closes the batches. */
    private static List<float[]> run(DataLoader.Epoch epoch, List<long[]> labels) {
        List<float[]> inputs = new ArrayList<>();
        try (epoch) {
            while (epoch.hasNext()) {
                try (Batch b = epoch.next()) {
                    inputs.add(b.inputs().toFloatArray());
                    labels.add(b.labels().toLongArray());
                }
            }
        }
        return inputs;
    }

    /** The sample order of an epoch (each image holds its index). */
    private static long[] order(DataLoader loader, long epoch) {
        List<long[]> labels = new ArrayList<>();
        return run(loader.epoch(epoch), labels).stream()
                .flatMapToLong(f -> {
                    long[] ids = new long[f.length / 12];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = (long) f[i * 12];
                    }
                    return Arrays.stream(ids);
                }).toArray();
    }

    @Test
    void batchesInOrderWithAPartialLastBatchUnlessDropped() {
        try (TensorDataset data = images(10)) {
            try (DataLoader loader = DataLoader.builder(data).batchSize(4).build()) {
                assertEquals(3, loader.numBatches());
                List<long[]> labels = new ArrayList<>();
                List<float[]> inputs = run(loader.iterator(), labels);
                assertEquals(3, inputs.size());
                assertArrayEquals(new long[] {8, 9}, labels.get(2));
                assertEquals(2 * 12, inputs.get(2).length);
                assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, order(loader, 0));
            }
            try (DataLoader loader = DataLoader.builder(data).batchSize(4).dropLast(true).build()) {
                assertEquals(2, loader.numBatches());
                assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, order(loader, 0));
            }
            try (DataLoader loader = DataLoader.builder(data).batchSize(11).dropLast(true).build()) {
                assertEquals(0, loader.numBatches());
                assertFalse(loader.iterator().hasNext());
            }
        }
    }

    @Test
    void batchesAreStackedTensorsWithInt64Labels() {
        try (TensorDataset data = images(5); DataLoader loader = DataLoader.builder(data).batchSize(2).build()) {
            for (Batch b : loader) {
                try (b) {
                    assertEquals(4, b.inputs().rank());
                    assertEquals(List.of(1L, 3L, 4L), Arrays.stream(b.inputs().shape().toArray()).skip(1).boxed().toList());
                    assertEquals(DType.INT64, b.labels().dtype());
                    assertEquals(b.inputs().size(0), b.labels().size(0));
                }
            }
        }
    }

    @Test
    void shuffleIsAPermutationFixedBySeedAndEpoch() {
        try (TensorDataset data = images(37)) {
            long[] a0;
            long[] a1;
            try (DataLoader loader = DataLoader.builder(data).batchSize(5).shuffle(true).seed(11).build()) {
                a0 = order(loader, 0);
                a1 = order(loader, 1);
            }
            long[] sorted = a0.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < 37; i++) {
                assertEquals(i, sorted[i]);
            }
            assertFalse(Arrays.equals(a0, a1), "epochs must be shuffled differently");
            try (DataLoader again = DataLoader.builder(data).batchSize(5).shuffle(true).seed(11).numWorkers(3).build()) {
                assertArrayEquals(a0, order(again, 0));
                assertArrayEquals(a1, order(again, 1));
            }
            try (DataLoader other = DataLoader.builder(data).batchSize(5).shuffle(true).seed(12).build()) {
                assertFalse(Arrays.equals(a0, order(other, 0)));
            }
        }
    }

    @Test
    void shuffleOrderIsPinned() {
        // the same seed must give the same order in every version, so runs stay reproducible across upgrades
        try (TensorDataset data = images(10); DataLoader loader = DataLoader.builder(data).batchSize(3).shuffle(true).seed(42).build()) {
            assertArrayEquals(new long[] {1, 7, 5, 9, 2, 6, 8, 3, 4, 0}, order(loader, 0));
        }
    }

    @Test
    void shuffleIsUniform() {
        // chi-square over where sample 0 lands and which sample comes first, in 4000 epochs of 8 samples
        int n = 8;
        int epochs = 4000;
        long[] firstSample = new long[n];
        long[] whereZero = new long[n];
        for (int e = 0; e < epochs; e++) {
            long[] order = BatchPlan.of(n, n, false, true, 5, e).indices(0);
            firstSample[(int) order[0]]++;
            for (int i = 0; i < n; i++) {
                if (order[i] == 0) {
                    whereZero[i]++;
                }
            }
        }
        // 7 degrees of freedom: P(chi2 > 24.3) = 0.001
        assertTrue(chiSquare(firstSample, epochs / (double) n) < 24.3, Arrays.toString(firstSample));
        assertTrue(chiSquare(whereZero, epochs / (double) n) < 24.3, Arrays.toString(whereZero));
    }

    static double chiSquare(long[] counts, double expected) {
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }

    @Test
    void batchContentsDoNotDependOnWorkersPrefetchOrKernelThreads() {
        Transform augment = new RandomCrop(3, 4).padding(1).andThen(new RandomHorizontalFlip())
                .andThen(new Normalize(new double[] {0.5}, new double[] {2}));
        try (TensorDataset data = images(23)) {
            List<float[]> reference = null;
            List<long[]> referenceLabels = null;
            int[][] settings = {{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {2, 4, 2}};
            for (int[] s : settings) {
                List<long[]> labels = new ArrayList<>();
                List<float[]> inputs = CpuThreads.call(s[2], () -> {
                    try (DataLoader loader = DataLoader.builder(data).batchSize(4).shuffle(true).seed(3).transform(augment)
                            .numWorkers(s[0]).prefetchFactor(s[1]).build()) {
                        return run(loader.epoch(2), labels);
                    }
                });
                if (reference == null) {
                    reference = inputs;
                    referenceLabels = labels;
                } else {
                    for (int b = 0; b < reference.size(); b++) {
                        assertArrayEquals(reference.get(b), inputs.get(b), "batch " + b + " with " + Arrays.toString(s));
                        assertArrayEquals(referenceLabels.get(b), labels.get(b));
                    }
                }
            }
        }
    }

    @Test
    void augmentationDiffersBetweenEpochsAndBatches() {
        Transform crop = new RandomCrop(2, 2);
        try (TensorDataset data = images(4); DataLoader loader = DataLoader.builder(data).batchSize(4).transform(crop).seed(9).build()) {
            float[] a = run(loader.epoch(0), new ArrayList<>()).get(0);
            float[] b = run(loader.epoch(1), new ArrayList<>()).get(0);
            assertEquals(4 * 4, a.length);
            assertArrayEquals(a, run(loader.epoch(0), new ArrayList<>()).get(0));
            assertNotEquals(Arrays.toString(a), Arrays.toString(b));
        }
    }

    @Test
    void iteratingMovesToTheNextEpochAndSetEpochResumes() {
        try (TensorDataset data = images(9); DataLoader loader = DataLoader.builder(data).batchSize(9).shuffle(true).seed(1).build()) {
            long[] e0 = order(loader, 0);
            long[] e3 = order(loader, 3);
            List<long[]> seen = new ArrayList<>();
            for (int e = 0; e < 2; e++) {
                for (Batch b : loader) {
                    try (b) {
                        seen.add(b.labels().toLongArray());
                    }
                }
            }
            assertEquals(2, loader.nextEpoch());
            loader.setEpoch(3);
            try (DataLoader.Epoch it = loader.iterator(); Batch b = it.next()) {
                assertEquals(3, it.epochIndex());
                assertEquals(Arrays.stream(e3).map(i -> i % 10).boxed().toList(), Arrays.stream(b.labels().toLongArray()).boxed().toList());
            }
            assertEquals(Arrays.stream(e0).map(i -> i % 10).boxed().toList(), Arrays.stream(seen.get(0)).boxed().toList());
        }
    }

    @Test
    void noTensorLeaksOverEpochsAbandonedEpochsOrClose() {
        try (TensorDataset data = images(50)) {
            MemoryStats before = Leaks.baseline();
            try (DataLoader loader = DataLoader.builder(data).batchSize(8).shuffle(true).seed(2).numWorkers(2).prefetchFactor(3)
                    .transform(new RandomCrop(3, 4).padding(2).andThen(new Normalize(new double[] {1}, new double[] {3}))).build()) {
                for (int e = 0; e < 3; e++) {
                    try (Scope step = Scope.open()) {
                        for (Batch b : loader) {
                            try (b) {
                                b.inputs().mul(2.0).sum();
                            }
                        }
                    }
                }
                // abandon an epoch after one batch: prefetched batches are freed by the next epoch
                try (Batch b = loader.iterator().next()) {
                    assertEquals(8, b.size());
                }
                try (Batch b = loader.iterator().next()) {
                    assertEquals(8, b.size());
                }
                // and an epoch left open when the loader closes
                loader.iterator().next().close();
            }
            Leaks.assertNoneSince(before, "three epochs, abandoned epochs and close");
        }
    }

    @Test
    void batchesBelongToTheCallerNotToItsScope() {
        try (TensorDataset data = images(6); DataLoader loader = DataLoader.builder(data).batchSize(3).build()) {
            Batch kept;
            try (Scope ignored = Scope.open()) {
                kept = loader.iterator().next();
            }
            assertFalse(kept.inputs().isClosed(), "a batch must outlive the consumer's scope: the caller closes it");
            kept.close();
            assertTrue(kept.inputs().isClosed() && kept.labels().isClosed());
        }
    }

    @Test
    void closingTheLoaderStopsItsThreads() throws InterruptedException {
        long before = dataThreads();
        TensorDataset data = images(40);
        DataLoader loader = DataLoader.builder(data).batchSize(2).numWorkers(3).build();
        try (DataLoader.Epoch e = loader.iterator()) {
            e.next().close();
            assertTrue(dataThreads() > before, "workers should be running");
        }
        loader.close();
        for (int i = 0; i < 100 && dataThreads() > before; i++) {
            Thread.sleep(10);
        }
        assertEquals(before, dataThreads());
        IllegalStateException e = assertThrows(IllegalStateException.class, loader::iterator);
        assertTrue(e.getMessage().contains("after close"), e.getMessage());
        loader.close();
        data.close();
    }

    private static long dataThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("panamax-data-")).count();
    }

    @Test
    void aFailingBatchReportsItsBatchAndEpochAndLeaksNothing() {
        Dataset broken = new Dataset() {
            @Override
            public long size() {
                return 6;
            }

            @Override
            public Sample get(long index) {
                if (index == 4) {
                    throw new IllegalStateException("sample 4 is unreadable");
                }
                return new Sample(Tensor.full(index, 2), Tensor.scalar(index, DType.INT64));
            }
        };
        for (int workers : new int[] {0, 2}) {
            MemoryStats before = Leaks.baseline();
            try (DataLoader loader = DataLoader.builder(broken).batchSize(2).numWorkers(workers).build()) {
                DataLoader.Epoch epoch = loader.iterator();
                epoch.next().close();
                epoch.next().close();
                RuntimeException e = assertThrows(RuntimeException.class, epoch::next);
                assertTrue(e.getMessage().contains("sample 4 is unreadable"), e.getMessage());
                if (workers > 0) {
                    assertTrue(e.getMessage().contains("batch 2 of epoch 0"), e.getMessage());
                }
            }
            Leaks.assertNoneSince(before, "a failed batch with " + workers + " workers");
        }
    }

    @Test
    void theDefaultBatchStacksSamples() {
        Dataset squares = new Dataset() {
            @Override
            public long size() {
                return 5;
            }

            @Override
            public Sample get(long index) {
                return new Sample(Tensor.full(index * index, 2, 2), Tensor.scalar(index, DType.INT64));
            }
        };
        try (DataLoader loader = DataLoader.builder(squares).batchSize(3).build(); DataLoader.Epoch e = loader.iterator()) {
            e.next().close();
            try (Batch b = e.next()) {
                assertArrayEquals(new long[] {2, 2, 2}, b.inputs().shape().toArray());
                assertArrayEquals(new float[] {9, 9, 9, 9, 16, 16, 16, 16}, b.inputs().toFloatArray());
                assertArrayEquals(new long[] {3, 4}, b.labels().toLongArray());
            }
            NoSuchElementException end = assertThrows(NoSuchElementException.class, e::next);
            assertTrue(end.getMessage().contains("only 2 batches"), end.getMessage());
        }
    }

    @Test
    void badOptionsNameTheArgument() {
        try (TensorDataset data = images(3)) {
            DataLoader.Builder b = DataLoader.builder(data);
            assertMessage(() -> b.batchSize(0), "batchSize must be >= 1, got 0");
            assertMessage(() -> b.numWorkers(-1), "numWorkers must be >= 0, got -1");
            assertMessage(() -> b.prefetchFactor(0), "prefetchFactor must be >= 1, got 0");
            try (DataLoader loader = b.build()) {
                assertMessage(() -> loader.setEpoch(-2), "epoch must be >= 0, got -2");
                assertMessage(() -> loader.epoch(-1), "epoch must be >= 0, got -1");
            }
        }
        assertMessage(() -> DataLoader.builder(null), "dataset is null");
    }

    static void assertMessage(Runnable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
