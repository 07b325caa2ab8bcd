package dev.panamax.bench.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.panamax.bench.worker.Task;
import java.util.List;

/**
 * A workload on DJL's NDArray API. Inputs belong to a manager of their own, freed by {@link #close()}; each
 * run computes inside an {@link NDScope}, which frees every array the run created, as a DJL training loop
 * does with its per-batch managers.
 */
abstract class DjlTask implements Task {
    protected final NDManager manager;

    DjlTask(NDManager parent) {
        manager = parent.newSubManager();
    }

    protected final NDArray input(float[] values, long... shape) {
        return manager.create(values, new Shape(shape));
    }

    /** One run; the arrays it returns are read by {@link #runAndRead()}. */
    protected abstract NDList compute();

    @Override
    @SuppressWarnings("try") // the scope is there to free what the run creates
    public final void run() {
        try (NDScope run = new NDScope()) {
            compute();
        }
    }

    @Override
    @SuppressWarnings("try")
    public final List<float[]> runAndRead() {
        try (NDScope run = new NDScope()) {
            return compute().stream().map(NDArray::toFloatArray).toList();
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * A fresh leaf on {@code array}'s data that records a gradient: backward then writes a new gradient
     * instead of adding to the last run's (PyTorch's {@code zero_grad(set_to_none=True)}; DJL's collector
     * no longer zeroes gradients itself).
     */
    static NDArray leaf(NDArray array) {
        NDArray leaf = array.stopGradient();
        leaf.setRequiresGradient(true);
        return leaf;
    }
}
