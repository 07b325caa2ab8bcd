package dev.panamax.data;

import dev.panamax.data.transforms.Transform;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches of a {@link Dataset}, like PyTorch's {@code DataLoader}: batch size, seeded shuffle,
 * drop-last, an optional {@link Transform} applied to each batch's inputs, and background
 * prefetch on the loader's own threads.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(train).batchSize(128).shuffle(true).seed(1).numWorkers(2).build()) {
 *     for (int epoch = 0; epoch < 3; epoch++) {
 *         for (Batch batch : loader) {            // each loop over the loader is the next epoch
 *             try (batch; Scope step = Scope.open()) {
 *                 ... model.forward(batch.inputs()) ... batch.labels() ...
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Determinism.</b> Which samples form batch b of epoch e, and the random draws of the
 * transform on it, depend only on (seed, e, b): the same on every run, for any number of
 * workers and any {@code Parallel} thread count.
 *
 * <p><b>Ownership.</b> Every {@link Batch} handed out belongs to the caller and to no scope;
 * close it when the step is done. Batches prefetched but not taken are freed by the loader when
 * the next epoch starts, when the epoch is closed, or when the loader is closed. Closing the
 * loader also stops its threads. One thread consumes a loader.
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {
    private static final AtomicInteger LOADERS = new AtomicInteger();

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final int numWorkers;
    private final int prefetchFactor;
    private final Transform transform;
    private final ExecutorService workers;
    private long nextEpoch;
    private Epoch current;
    private boolean closed;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.numWorkers = b.numWorkers;
        this.prefetchFactor = b.prefetchFactor;
        this.transform = b.transform;
        this.workers = numWorkers == 0 ? null : newWorkers(numWorkers);
    }

    /** A builder with PyTorch's defaults: batch size 1, no shuffle, keep the last partial batch, no workers. */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch ({@code len(loader)}). */
    public int numBatches() {
        return BatchPlan.count(dataset.size(), batchSize, dropLast);
    }

    /** The epoch the next {@link #iterator()} runs. */
    public long nextEpoch() {
        return nextEpoch;
    }

    /** Makes the next {@link #iterator()} run epoch {@code epoch} (to resume a run, like {@code set_epoch}). */
    public void setEpoch(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader.setEpoch: epoch must be >= 0, got " + epoch);
        }
        nextEpoch = epoch;
    }

    /** The batches of the next epoch; stops (and frees) an epoch still running. */
    @Override
    public Epoch iterator() {
        return epoch(nextEpoch++);
    }

    /** The batches of epoch {@code epoch}, without moving the epoch counter; stops an epoch still running. */
    public Epoch epoch(long epoch) {
        if (closed) {
            throw new IllegalStateException("DataLoader: used after close()");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader.epoch: epoch must be >= 0, got " + epoch);
        }
        if (current != null) {
            current.close();
        }
        current = new Epoch(epoch, BatchPlan.of(dataset.size(), batchSize, dropLast, shuffle, seed, epoch));
        return current;
    }

    /** Frees prefetched batches and stops the worker threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            current.close();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("DataLoader: worker threads did not stop within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Batch b of an epoch: gather, transform, and hand over outside any scope. */
    private Batch produce(long epoch, int b, long[] indices) {
        try (Scope scope = Scope.open()) {
            Batch raw = dataset.batch(indices);
            Tensor inputs = raw.inputs();
            if (transform != null) {
                inputs = transform.apply(raw.inputs(), new Generator(Seeds.derive(seed, Seeds.AUGMENT, epoch, b)));
                if (inputs != raw.inputs()) {
                    raw.inputs().close();
                }
            }
            Batch batch = new Batch(inputs, raw.labels());
            inputs.unscoped();
            raw.labels().unscoped();
            return batch;
        }
    }

    private static ExecutorService newWorkers(int n) {
        int id = LOADERS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "panamax-data-" + id + "-" + count.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        // a loader that is never closed must not pin threads forever
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * The batches of one epoch, in order. With workers, up to {@code numWorkers * prefetchFactor}
     * batches are built ahead; closing the epoch frees those not taken.
     */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final long epoch;
        private final BatchPlan plan;
        private final ArrayDeque<CompletableFuture<Batch>> ahead = new ArrayDeque<>();
        private final AtomicBoolean abandoned = new AtomicBoolean();
        private int submitted;
        private int taken;

        private Epoch(long epoch, BatchPlan plan) {
            this.epoch = epoch;
            this.plan = plan;
            if (workers != null) {
                while (submitted < Math.min(plan.batches(), numWorkers * prefetchFactor)) {
                    submitNext();
                }
            }
        }

        public long epochIndex() {
            return epoch;
        }

        private void submitNext() {
            int b = submitted++;
            long[] indices = plan.indices(b);
            ahead.add(CompletableFuture.supplyAsync(() -> abandoned.get() ? null : produce(epoch, b, indices), workers));
        }

        @Override
        public boolean hasNext() {
            return !abandoned.get() && taken < plan.batches();
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException(abandoned.get() ? "DataLoader: epoch " + epoch + " was closed"
                        : "DataLoader: epoch " + epoch + " has only " + plan.batches() + " batches");
            }
            int b = taken++;
            if (workers == null) {
                return produce(epoch, b, plan.indices(b));
            }
            CompletableFuture<Batch> next = ahead.poll();
            if (submitted < plan.batches()) {
                submitNext();
            }
            try {
                return next.join();
            } catch (CompletionException e) {
                throw new IllegalStateException("DataLoader: building batch " + b + " of epoch " + epoch + " failed: "
                        + e.getCause(), e.getCause());
            }
        }

        /** Stops the epoch and frees the batches built ahead and not taken. Idempotent. */
        @Override
        public void close() {
            abandoned.set(true);
            for (CompletableFuture<Batch> f : ahead) {
                try {
                    Batch b = f.join();
                    if (b != null) {
                        b.close();
                    }
                } catch (CompletionException | java.util.concurrent.CancellationException ignored) {
                    // a failed batch left nothing to free
                }
            }
            ahead.clear();
        }
    }

    /** Options of a {@link DataLoader}; names follow PyTorch's arguments. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private long seed = Generator.global().seed();
        private int numWorkers;
        private int prefetchFactor = 2;
        private Transform transform;

        private Builder(Dataset dataset) {
            if (dataset == null) {
                throw new IllegalArgumentException("DataLoader: dataset is null");
            }
            this.dataset = dataset;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Reshuffle the samples every epoch. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Drop the last batch when it is smaller than the batch size. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Seed of the shuffle and of the transform's random draws (default: the global generator's seed). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Threads that build batches in the background; 0 builds each batch when it is asked for. */
        public Builder numWorkers(int numWorkers) {
            if (numWorkers < 0) {
                throw new IllegalArgumentException("DataLoader: numWorkers must be >= 0, got " + numWorkers);
            }
            this.numWorkers = numWorkers;
            return this;
        }

        /** Batches each worker builds ahead of the consumer (the queue holds numWorkers × this). */
        public Builder prefetchFactor(int prefetchFactor) {
            if (prefetchFactor < 1) {
                throw new IllegalArgumentException("DataLoader: prefetchFactor must be >= 1, got " + prefetchFactor);
            }
            this.prefetchFactor = prefetchFactor;
            return this;
        }

        /** A transform applied to the inputs of every batch (on the worker threads). */
        public Builder transform(Transform transform) {
            this.transform = transform;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
