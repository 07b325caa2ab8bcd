package dev.panamax.testing;

import dev.panamax.tensor.Scope;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs each test of a class inside a {@link Scope} that frees every tensor the test creates on its
 * thread, for test classes that build many short-lived operands (the CPU-vs-GPU parity tests)
 * and would otherwise leave them to the garbage collector, which {@link LeakCheck} refuses.
 */
public final class ScopePerTest implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ScopePerTest.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("scope", Scope.open());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        context.getStore(NS).get("scope", Scope.class).close();
    }
}
