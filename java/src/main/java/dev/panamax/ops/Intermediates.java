package dev.panamax.ops;

import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The intermediate tensors of a computation composed of differentiable ops, closed together.
 * Unlike a {@link dev.panamax.tensor.Scope}, whose close frees memory at once (and with it the
 * graph through those tensors), {@link Tensor#close()} waits while a recorded backward still reads
 * a tensor, so the composed result stays differentiable.
 */
public final class Intermediates implements AutoCloseable {
    private final List<Tensor> tensors = new ArrayList<>();

    /** Registers {@code t} to be closed with the others; returns it. */
    public Tensor track(Tensor t) {
        tensors.add(t);
        return t;
    }

    @Override
    public void close() {
        tensors.forEach(Tensor::close);
        tensors.clear();
    }
}
