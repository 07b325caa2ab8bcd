package dev.panamax.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads of {@link Parallel}: the calling thread and {@code size - 1} workers share out a
 * region's chunks through one atomic counter. Between regions a worker spins for a while before it
 * parks, so the short regions of a training step (a few hundred microseconds each) start on every
 * thread at once instead of waiting for sleeping threads (on a virtual machine, waking an idle
 * CPU can take milliseconds).
 */
final class Team {
    /** How long an idle worker keeps checking for the next region before it parks. */
    private static final long SPIN_NANOS = 2_000_000;
    /** How long a wait spins before it yields between checks (see {@link #pause}). */
    private static final long BUSY_SPIN_NANOS = 20_000;
    /** Depth of parallel regions on this thread: a region inside a region runs inline. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    final int size;
    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Region region;
    private volatile boolean closed;

    /** Numbers the regions, so a worker can tell a new one from the one it has done without holding on to it. */
    private final AtomicLong regions = new AtomicLong();

    /** One region: its chunks, the next one to claim, how many have finished, and the first failure. */
    private static final class Region {
        final long number;
        final Parallel.ChunkBody body;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        volatile Throwable failure;

        Region(long number, Parallel.ChunkBody body, int chunks) {
            this.number = number;
            this.body = body;
            this.chunks = chunks;
        }
    }

    Team(int size) {
        this.size = size;
        this.workers = new Thread[size - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "panamax-cpu-" + i);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /**
     * Runs every chunk of the region, on this thread and the workers; false (nothing run) when
     * another thread's region is using the team or this thread is already inside one.
     */
    boolean tryRun(int chunks, Parallel.ChunkBody body) {
        int[] depth = DEPTH.get();
        if (depth[0] > 0 || closed || !busy.compareAndSet(false, true)) {
            return false;
        }
        Region r = new Region(regions.incrementAndGet(), body, chunks);
        try {
            region = r;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            work(r, depth);
            long waitingSince = System.nanoTime();
            while (r.finished.get() < chunks) {
                pause(System.nanoTime() - waitingSince);
            }
        } finally {
            region = null;
            busy.set(false);
        }
        Throwable failure = r.failure;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) { // a checked exception thrown sneakily
            throw new IllegalStateException("a parallel chunk failed", failure);
        }
        return true;
    }

    /** Stops the workers once they finish what they are running. */
    void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    private static void work(Region r, int[] depth) {
        depth[0]++;
        try {
            for (int c = r.next.getAndIncrement(); c < r.chunks; c = r.next.getAndIncrement()) {
                try {
                    r.body.run(c);
                } catch (Throwable t) {
                    if (r.failure == null) {
                        r.failure = t;
                    }
                } finally {
                    r.finished.incrementAndGet();
                }
            }
        } finally {
            depth[0]--;
        }
    }

    private void workerLoop() {
        int[] depth = DEPTH.get();
        long done = 0; // the number of the last region worked on: the region itself (and what its body holds) may be freed
        while (!closed) {
            done = workOnNewRegion(done, depth);
            long idleSince = System.nanoTime();
            while (!closed && !hasNewRegion(done)) {
                long idle = System.nanoTime() - idleSince;
                if (idle < SPIN_NANOS) {
                    pause(idle);
                } else {
                    LockSupport.park(this);
                }
            }
        }
    }

    /**
     * One check's wait, {@code waited} nanoseconds into a wait: a spin at first, then a yield, so that
     * when more threads are runnable than there are CPUs (the JIT compiler or the GC beside a team as
     * large as the machine) the thread being waited for gets the CPU instead of the one waiting.
     */
    private static void pause(long waited) {
        if (waited < BUSY_SPIN_NANOS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    private long workOnNewRegion(long done, int[] depth) {
        Region r = region;
        if (r == null || r.number == done) {
            return done;
        }
        work(r, depth);
        return r.number;
    }

    private boolean hasNewRegion(long done) {
        Region r = region;
        return r != null && r.number != done;
    }
}
