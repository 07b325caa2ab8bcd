package dev.panamax.testing;

import dev.panamax.tensor.MemoryStats;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class whose run left tensors for the garbage collector. Registered for the whole
 * suite (META-INF/services, with autodetection on in junit-platform.properties). Counts are taken
 * after {@link MemoryStats#settled()}, which collects until the cleaner has processed everything
 * unreachable, so the class that dropped a tensor is the one named, not a later class during
 * which the GC happened to find it. One settled count per class boundary: a class's closing count
 * is the next class's baseline (classes run one after another; the suite has no nested classes).
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    /** A class that drops tensors on purpose (to test the cleaner itself). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface LeaksOnPurpose {}

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheck.class);
    /** The settled leak count at the end of the previous class (null before the first). */
    private static Long carried;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("leaked", carried != null ? carried : MemoryStats.settled().leakedTensors());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        long before = context.getStore(NS).get("leaked", Long.class);
        carried = MemoryStats.settled().leakedTensors();
        Class<?> c = context.getRequiredTestClass();
        if (carried > before && !c.isAnnotationPresent(LeaksOnPurpose.class)) {
            throw new AssertionError(c.getSimpleName() + " left " + (carried - before) + " tensor(s) for the garbage collector: close"
                    + " what its tests create (try-with-resources or a Scope)");
        }
    }
}
