package dev.panamax.bench.compare;

import dev.panamax.bench.worker.Task;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A workload on Panamax's public API. Each run computes inside a {@link Scope}, so what it creates is freed
 * (returned to Panamax's memory pool) when it ends, as in a user's loop; inputs live until {@link #close()}.
 */
abstract class PanamaxTask implements Task {
    private final List<Tensor> inputs = new ArrayList<>();

    /** Keeps {@code t} for as long as this task lives. */
    protected final Tensor own(Tensor t) {
        inputs.add(t);
        return t;
    }

    protected final Tensor input(float[] values, long... shape) {
        return own(Tensor.of(values, shape));
    }

    /** One run; the tensors it returns are read by {@link #runAndRead()}. */
    protected abstract List<Tensor> compute();

    @Override
    @SuppressWarnings("try") // the scope is there to free what the run creates
    public final void run() {
        try (Scope run = Scope.open()) {
            compute();
        }
    }

    @Override
    @SuppressWarnings("try")
    public final List<float[]> runAndRead() {
        try (Scope run = Scope.open()) {
            return compute().stream().map(Tensor::toFloatArray).toList();
        }
    }

    @Override
    public void close() {
        inputs.forEach(Tensor::close);
    }
}
