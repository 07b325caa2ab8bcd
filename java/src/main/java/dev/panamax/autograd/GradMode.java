package dev.panamax.autograd;

/**
 * Whether ops record the graph, per thread. Off inside {@link #noGrad()} and while backward runs
 * (unless it was asked to create a graph of the gradients).
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope (try-with-resources) in which nothing is recorded, like {@code torch.no_grad()}. */
    public static Guard noGrad() {
        return set(false);
    }

    /** A scope in which recording is on or off, restoring the previous state on close. */
    public static Guard set(boolean enabled) {
        boolean[] state = ENABLED.get();
        boolean previous = state[0];
        state[0] = enabled;
        return () -> state[0] = previous;
    }

    /** Restores the previous mode. */
    @FunctionalInterface
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }
}
