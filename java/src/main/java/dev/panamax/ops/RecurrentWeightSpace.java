package dev.panamax.ops;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Operand;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.backend.RecurrentWeights;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A layer's weight space for {@link RecurrentStack}: laid out once per spec and device, and
 * refilled from the parameters only when one of them may have changed. PyTorch avoids the copy by
 * making the parameters views of the space ({@code flatten_parameters}); here parameters keep
 * their own memory (they move between devices one by one), so the space is a copy, proven current
 * by each parameter's identity and {@link Tensor#version()} (bumped by every in-place update,
 * optimizer step and kernel hand-out) with no other view of its memory alive.
 *
 * <p>A space that a recorded graph still reads (its backward needs the weights of its forward) is
 * never overwritten: a refill then lays out a new one. A space left on a device the parameters
 * moved away from is freed when the layer moves ({@code Module.to}), at the next fused call, or on close. Calls are serialised; the GPU work
 * that reads a space is ordered on the device's one stream before any later refill.
 *
 * <p>Threads may share a layer: each call reads the space through its own view, so while one thread's call reads it, another
 * thread's refill (after a parameter was changed or handed to a kernel) lays out a new space instead of overwriting or freeing it.
 */
public final class RecurrentWeightSpace implements AutoCloseable {
    private RecurrentSpec spec;
    private Tensor space;
    private final List<Tensor> params = new ArrayList<>();
    private long[] versions = new long[0];
    private long refills;

    /**
     * The weight space of {@code spec} holding the values of {@code params} (its flat order, on
     * {@code be}'s device): the one kept from the last call when nothing changed, else refilled.
     * The result is a view of it that the caller closes once its kernels have read it.
     */
    synchronized Tensor current(Backend be, RecurrentSpec spec, RecurrentWeights layout, List<Tensor> params) {
        if (isCurrent(spec, params)) {
            return space.detach();
        }
        if (space == null || !spec.equals(this.spec) || !space.device().equals(params.get(0).device()) || !space.isExclusive()) {
            close();
            // zeros: the elements no parameter covers (the biases of a stack without them) must read as 0
            space = Tensor.full(Shape.of(layout.elements()), 0, spec.dtype(), params.get(0).device()).unscoped();
        }
        Operand target = space.operand();
        for (RecurrentWeights.Block b : layout.blocks()) {
            Operand from = params.get(b.param()).operand();
            be.copy(slice(from, b.paramOffset(), b.count()), slice(target, b.spaceOffset(), b.count()));
        }
        this.spec = spec;
        this.params.clear();
        this.params.addAll(params);
        versions = params.stream().mapToLong(Tensor::version).toArray(); // after the copies, which counted
        refills++;
        return space.detach();
    }

    /** How often the space was (re)filled: once per change of the parameters, for tests. */
    public synchronized long refills() {
        return refills;
    }

    /** A dense tensor's elements [offset, offset + count) as a 1-D operand. */
    static Operand slice(Operand dense, long offset, long count) {
        return dense.withLayout(new long[] {count}, new long[] {1}, dense.offset() + offset);
    }

    private boolean isCurrent(RecurrentSpec spec, List<Tensor> params) {
        if (space == null || !spec.equals(this.spec) || params.size() != this.params.size()) {
            return false;
        }
        for (int i = 0; i < versions.length; i++) {
            Tensor p = params.get(i);
            if (p != this.params.get(i) || p.isClosed() || p.version() != versions[i] || !p.isExclusive()
                    || !p.device().equals(space.device())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized void close() {
        if (space != null) {
            space.close();
            space = null;
        }
        spec = null;
        params.clear();
        versions = new long[0];
    }
}
