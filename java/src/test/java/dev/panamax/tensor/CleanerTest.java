package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.testing.LeakCheck;
import org.junit.jupiter.api.Test;

/** The cleaner frees and counts tensors dropped without close(); alone in its class, which leaks on purpose. */
@LeakCheck.LeaksOnPurpose
class CleanerTest {
    @Test
    void theCleanerReportsTensorsThatWereNeverClosed() throws InterruptedException {
        long leakedBefore = MemoryStats.now().leakedTensors();
        long storagesBefore = MemoryStats.now().liveStorages();
        for (int i = 0; i < 50; i++) {
            Tensor.zeros(16); // dropped without close()
        }
        for (int attempt = 0; attempt < 100 && MemoryStats.now().leakedTensors() < leakedBefore + 50; attempt++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(MemoryStats.now().leakedTensors() >= leakedBefore + 50, "leaks reported: " + MemoryStats.now());
        assertTrue(MemoryStats.now().liveStorages() <= storagesBefore, "leaked storages were freed");
    }
}
