package dev.panamax.backend.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Who gets which packing buffers: no two users at once share a set, and a virtual thread reuses a returned one. */
class PackBuffersTest {
    @Test
    void aPlatformThreadKeepsItsOwnSet() {
        try (PackBuffers first = PackBuffers.acquire(); PackBuffers nested = PackBuffers.acquire()) {
            assertSame(first, nested, "the thread's own set, as before: a call inside a call shares it, as it always did");
        }
        try (PackBuffers first = PackBuffers.acquire()) {
            try (PackBuffers again = PackBuffers.acquire()) {
                assertSame(first, again);
            }
        }
    }

    /** Twice: the second time the users also take the spares the first returned. */
    @Test
    void virtualThreadsHoldingBuffersAtOnceNeverShareASet() throws Exception {
        for (int time = 0; time < 2; time++) {
            int users = 64;
            CountDownLatch allHolding = new CountDownLatch(users);
            Set<PackBuffers> held = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
            try (ExecutorService perTask = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Boolean>> added = new ArrayList<>();
                for (int i = 0; i < users; i++) {
                    added.add(perTask.submit(() -> {
                        try (PackBuffers mine = PackBuffers.acquire()) {
                            boolean fresh = held.add(mine);
                            allHolding.countDown();
                            allHolding.await(); // every user holds its set at the same time
                            return fresh;
                        }
                    }));
                }
                for (Future<Boolean> f : added) {
                    assertTrue(f.get(), "a set handed to two virtual threads at once, time " + time);
                }
            }
        }
    }

    @Test
    void aVirtualThreadPerRequestReusesAReturnedSet() throws Exception {
        try (ExecutorService perTask = Executors.newVirtualThreadPerTaskExecutor()) {
            PackBuffers first = perTask.submit(PackBuffersTest::useAndReturn).get();
            PackBuffers second = perTask.submit(PackBuffersTest::useAndReturn).get();
            assertSame(first, second, "the next request's thread borrows the set the last one returned");
            try (PackBuffers own = PackBuffers.acquire()) {
                assertNotSame(first, own, "a platform thread keeps its own set, never a virtual thread's spare");
            }
        }
    }

    private static PackBuffers useAndReturn() {
        try (PackBuffers b = PackBuffers.acquire()) {
            b.b(1000)[999] = 1; // grown once, kept for the next borrower
            return b;
        }
    }
}
