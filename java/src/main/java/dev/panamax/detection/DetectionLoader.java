package dev.panamax.detection;

import dev.panamax.data.BatchPlan;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Batches of a {@link DetectionDataset} as lists (torchvision's detection collate), shuffled with
 * the same seeded plan as {@link dev.panamax.data.DataLoader}: which images form batch b of epoch
 * e depends only on (seed, e, b). With prefetch, one background thread builds the next batch
 * while the caller trains on the current one.
 *
 * <pre>{@code
 * try (DetectionLoader loader = new DetectionLoader(scenes, 4, true, seed, true);
 *      DetectionLoader.Epoch batches = loader.epoch(0)) {
 *     while (batches.hasNext()) {
 *         try (DetectionBatch b = batches.next()) { ... model.losses(b.images(), b.targets()) ... }
 *     }
 * }
 * }</pre>
 *
 * <p>Every batch handed out belongs to the caller; one prefetched but not taken is closed with its
 * epoch. One thread consumes a loader.
 */
public final class DetectionLoader implements AutoCloseable {
    private final DetectionDataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final ExecutorService prefetcher;

    public DetectionLoader(DetectionDataset dataset, int batchSize, boolean shuffle, long seed, boolean prefetch) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("DetectionLoader: batchSize must be >= 1, got " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.prefetcher = prefetch ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "panamax-detection-prefetch");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    public DetectionDataset dataset() {
        return dataset;
    }

    /** Batches per epoch; the last may be smaller. */
    public int numBatches() {
        return BatchPlan.count(dataset.size(), batchSize, false);
    }

    /** The batches of epoch {@code epoch} (0-based), in their seeded order. */
    public Epoch epoch(long epoch) {
        return new Epoch(BatchPlan.of(dataset.size(), batchSize, false, shuffle, seed, epoch));
    }

    @Override
    public void close() {
        if (prefetcher != null) {
            prefetcher.shutdownNow();
        }
    }

    /** The batches of one epoch, in order; closing it frees a batch built ahead and not taken. */
    public final class Epoch implements Iterator<DetectionBatch>, AutoCloseable {
        private final BatchPlan plan;
        private int taken;
        private CompletableFuture<DetectionBatch> ahead;

        private Epoch(BatchPlan plan) {
            this.plan = plan;
            prefetch();
        }

        @Override
        public boolean hasNext() {
            return taken < plan.batches();
        }

        @Override
        public DetectionBatch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("DetectionLoader: the epoch has only " + plan.batches() + " batches");
            }
            DetectionBatch batch = ahead == null ? dataset.batch(plan.indices(taken)) : join(ahead);
            taken++;
            ahead = null;
            prefetch();
            return batch;
        }

        private void prefetch() {
            if (prefetcher != null && taken < plan.batches()) {
                long[] indices = plan.indices(taken);
                ahead = CompletableFuture.supplyAsync(() -> dataset.batch(indices), prefetcher);
            }
        }

        private DetectionBatch join(CompletableFuture<DetectionBatch> f) {
            try {
                return f.join();
            } catch (CompletionException e) {
                throw new IllegalStateException("DetectionLoader: building batch " + taken + " failed: " + e.getCause(), e.getCause());
            }
        }

        @Override
        public void close() {
            if (ahead != null) {
                try {
                    ahead.join().close();
                } catch (CompletionException | java.util.concurrent.CancellationException ignored) {
                    // a batch that failed to build holds nothing to free
                }
                ahead = null;
            }
        }
    }
}
