package dev.panamax.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A region of code whose tensors are freed together. Every tensor created on this thread while
 * the scope is the innermost open one belongs to it, and {@link #close()} closes them all,
 * except those passed to {@link #keep}, which move to the enclosing scope (or to no scope).
 *
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.forward(x).sub(y).pow(2).mean();
 *     loss.backward();          // parameters' gradients outlive the scope
 *     optimizer.step();
 *     return step.keep(loss);   // everything else created here is freed now
 * }
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final Thread thread;
    private final List<Tensor> tensors = new ArrayList<>();
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    /** Opens a scope nested in the current one; close it with try-with-resources. */
    public static Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static Scope current() {
        return CURRENT.get();
    }

    void register(Tensor t) {
        tensors.add(t);
    }

    /**
     * Moves {@code t} out of this scope, to the enclosing one (or to none, so the caller must
     * close it). Returns {@code t}.
     */
    public <T extends Tensor> T keep(T t) {
        if (t.owner() != this) {
            throw new IllegalArgumentException("keep: " + t.describe() + " does not belong to this scope");
        }
        t.moveToScope(parent);
        return t;
    }

    /** Closes every tensor still owned by this scope. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a Scope must be closed by the thread that opened it (" + thread.getName() + ")");
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("scopes must be closed innermost first; an inner scope is still open");
        }
        closed = true;
        CURRENT.set(parent);
        for (Tensor t : tensors) {
            if (t.owner() == this) {
                t.closeNow();
            }
        }
        tensors.clear();
    }
}
