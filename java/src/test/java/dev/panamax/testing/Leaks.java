package dev.panamax.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.MemoryStats;

/**
 * Leak checks that garbage from earlier tests cannot disturb: both snapshots are taken after the
 * cleaner has freed everything unreachable, and tensors the code under test dropped without
 * closing show up as leaked.
 */
public final class Leaks {
    private Leaks() {}

    /** The snapshot to compare against later. */
    public static MemoryStats baseline() {
        return MemoryStats.settled();
    }

    /** Live tensors, storages and bytes are back to the baseline, and nothing was left for the GC. */
    public static void assertNoneSince(MemoryStats before, String what) {
        MemoryStats after = MemoryStats.settled();
        assertEquals(before.leakedTensors(), after.leakedTensors(), what + ": tensors dropped without close() " + before + " -> " + after);
        assertEquals(before.liveTensors(), after.liveTensors(), what + ": live tensors " + before + " -> " + after);
        assertEquals(before.liveStorages(), after.liveStorages(), what + ": live storages " + before + " -> " + after);
        assertEquals(before.liveBytes(), after.liveBytes(), what + ": live bytes " + before + " -> " + after);
    }
}
