package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.Scope;
import dev.panamax.testing.Leaks;
import org.junit.jupiter.api.Test;

class LifetimeTest {
    @Test
    void useAfterCloseThrowsNamingTheTensor() {
        Tensor t = Tensor.ones(2, 3).name("weights");
        t.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("'weights'") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("after close"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.add(1.0));
        assertThrows(IllegalStateException.class, () -> t.fill_(1));
        assertTrue(t.toString().contains("closed"));
        t.close(); // idempotent
    }

    @Test
    void viewsKeepStorageAliveAfterTheBaseCloses() {
        Tensor base = Tensor.arange(0, 6, 1, DType.FLOAT32);
        Tensor view = base.view(2, 3);
        base.close();
        assertEquals(5.0, view.get(1, 2));
        view.close();
    }

    @Test
    void scopeClosesWhatItCreatedExceptKeptTensors() {
        Tensor outside = Tensor.ones(3);
        Tensor kept;
        Tensor inner;
        try (Scope s = Scope.open()) {
            inner = outside.mul(2.0);
            kept = s.keep(outside.add(1.0));
        }
        assertTrue(inner.isClosed());
        assertFalse(kept.isClosed());
        assertFalse(outside.isClosed());
        assertEquals(2.0, kept.get(0));
        kept.close();
        outside.close();
    }

    @Test
    void keepMovesToTheEnclosingScope() {
        Tensor survivor;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                survivor = inner.keep(Tensor.zeros(2));
            }
            assertFalse(survivor.isClosed());
        }
        assertTrue(survivor.isClosed());
    }

    @Test
    void scopesMustCloseInnermostFirst() {
        Scope outer = Scope.open();
        Scope inner = Scope.open();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }

    @Test
    void keepRejectsATensorOfAnotherScope() {
        Tensor free = Tensor.zeros(1);
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.keep(free));
            assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        }
        free.close();
    }

    @Test
    void gradientsOutliveTheScopeOfTheStep() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        try (Scope s = Scope.open()) {
            w.mul(w).sum().backward();
        }
        assertEquals(2.0, w.grad().get(0));
        w.close();
        assertTrue(w.grad() == null);
    }

    /** The lifetime bar: 10,000 small forward/backward steps inside scopes leave memory unchanged. */
    @Test
    void tenThousandTrainingStepsLeakNothing() {
        Generator g = new Generator(3);
        Tensor w = Tensor.randn(g, 8, 4).requiresGrad(true);
        Tensor b = Tensor.zeros(4).requiresGrad(true);
        Tensor x = Tensor.randn(g, 16, 8);
        Tensor y = Tensor.randn(g, 16, 4);
        step(w, b, x, y); // first step allocates the gradients, which persist
        MemoryStats before = Leaks.baseline();
        for (int i = 0; i < 10_000; i++) {
            step(w, b, x, y);
        }
        Leaks.assertNoneSince(before, "10,000 steps");
        for (Tensor t : new Tensor[] {w, b, x, y}) {
            t.close();
        }
    }

    private static void step(Tensor w, Tensor b, Tensor x, Tensor y) {
        try (Scope s = Scope.open()) {
            Tensor loss = x.matmul(w).add(b).tanh().sub(y).pow(2).mean();
            loss.backward();
            try (GradMode.Guard ignored = GradMode.noGrad()) {
                w.sub_(w.grad().mul(0.01));
                b.sub_(b.grad().mul(0.01));
            }
        }
    }

    /** A forward pass that is never backwarded (evaluation without noGrad) must not pin its inputs. */
    @Test
    void anAbandonedGraphIsFreedWhenItsResultsAreClosed() {
        MemoryStats before = Leaks.baseline();
        Tensor w = Tensor.ones(4, 4).requiresGrad(true);
        Tensor x = Tensor.ones(2, 4);
        for (int i = 0; i < 100; i++) {
            Tensor h = x.matmul(w);
            Tensor y = h.tanh();
            Tensor loss = y.sum();
            h.close(); // still needed by tanh's backward: kept
            y.close();
            assertEquals(2.0 * 4 * Math.tanh(4), loss.item(), 1e-4);
            loss.close(); // nothing can reach this graph any more: all of it is freed
        }
        w.close();
        x.close();
        Leaks.assertNoneSince(before, "100 abandoned graphs");
    }

    @Test
    void closingAnIntermediateKeepsItForTheBackwardThatNeedsIt() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {0.5f, -1}, 2).requiresGrad(true);
            Tensor y = x.exp();
            Tensor z = y.mul(y).sum();
            y.close();
            z.backward();
            assertEquals(2 * Math.exp(1.0), x.grad().get(0), 1e-5);
            assertTrue(y.isClosed(), "freed once the backward that needed it has run");
            x.close();
            z.close();
        }
    }

    @Test
    void freedMemoryIsReused() {
        Tensor a = Tensor.zeros(1 << 20);
        a.close();
        long pooled = MemoryStats.now().pooledBytes();
        Tensor b = Tensor.zeros(1 << 20);
        assertTrue(MemoryStats.now().pooledBytes() < pooled, "the second allocation came from the pool");
        b.close();
    }

    @Test
    void leafGradientIsOwnedByTheLeaf() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.ones(2).requiresGrad(true);
            w.sum().backward();
            Tensor g = w.grad();
            w.zeroGrad();
            assertTrue(g.isClosed());
            assertSame(null, w.grad());
            w.close();
        }
    }
}
