package dev.panamax.ops;

import dev.panamax.tensor.Tensor;

/**
 * Lets a diagnostic tool see the output of every elementwise op computed on this thread, such as
 * each ReLU of a forward pass (the training doctor counts dead units with it). Costs one
 * thread-local read per op when nobody listens.
 */
public final class OpTrace {
    /** Receives (op name, output); must not close or modify the output. */
    @FunctionalInterface
    public interface Listener {
        void output(String op, Tensor out);
    }

    /** Stops listening. */
    @FunctionalInterface
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }

    private static final ThreadLocal<Listener> LISTENER = new ThreadLocal<>();

    private OpTrace() {}

    /** Listens until the guard is closed (try-with-resources). */
    public static Guard listen(Listener listener) {
        Listener previous = LISTENER.get();
        LISTENER.set(listener);
        return () -> LISTENER.set(previous);
    }

    static void report(String op, Tensor out) {
        Listener l = LISTENER.get();
        if (l != null) {
            l.output(op, out);
        }
    }
}
