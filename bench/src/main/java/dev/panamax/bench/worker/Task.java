package dev.panamax.bench.worker;

import java.util.List;

/** A workload made ready on one peer: inputs in the peer's own memory, so a run times the work alone. */
public interface Task extends AutoCloseable {
    /** One timed run; what it computes is freed or overwritten by the next. */
    void run();

    /**
     * One run whose results come back as float arrays (e.g. output, input gradient, weight gradient), for
     * comparing peers. The worker calls it once, before any {@link #run()}: a training step reads the first
     * step from the initial weights.
     */
    List<float[]> runAndRead();

    @Override
    void close();
}
