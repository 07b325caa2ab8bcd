package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fused attention kernels' launch plan, which must match what native/src/attention.cu assumes. */
class FlashPlanTest {
    @Test
    void aRowSpansTheFewestLanesThatHoldItsLargerHead() {
        assertEquals(1, FlashPlan.of(1, 1).lanesPerRow());
        assertEquals(1, FlashPlan.of(32, 8).lanesPerRow());
        assertEquals(2, FlashPlan.of(33, 8).lanesPerRow());
        assertEquals(2, FlashPlan.of(16, 64).lanesPerRow());
        assertEquals(4, FlashPlan.of(72, 40).lanesPerRow(), "three lanes' worth rounds up to a power of two");
        assertEquals(32, FlashPlan.of(1024, 1024).lanesPerRow());
        assertEquals(CudaContext.THREADS / 4, FlashPlan.of(72, 40).rowsPerBlock());
    }

    @Test
    void everyTileFitsTheDefaultSharedMemoryAndHoldsAtLeastOneRow() {
        for (int keySize = 1; keySize <= FlashPlan.MAX_HEAD_SIZE; keySize += 37) {
            for (int valueSize = 1; valueSize <= FlashPlan.MAX_HEAD_SIZE; valueSize += 53) {
                FlashPlan plan = FlashPlan.of(keySize, valueSize);
                assertTrue(plan.tile() >= 1 && plan.tile() <= FlashPlan.MAX_TILE, plan.toString());
                assertTrue(plan.sharedBytes(2) <= CudaContext.MAX_DYNAMIC_SHARED_BYTES, plan.toString());
                assertTrue(plan.lanesPerRow() * FlashPlan.CHUNK >= Math.max(keySize, valueSize), plan.toString());
                assertTrue(plan.lanesPerRow() <= 32 && Integer.bitCount(plan.lanesPerRow()) == 1, plan.toString());
            }
        }
        assertEquals(FlashPlan.MAX_TILE, FlashPlan.of(64, 64).tile());
        assertEquals(64 * (64 + 64 + 2) * Float.BYTES, FlashPlan.of(64, 64).sharedBytes(2));
        assertEquals(5, FlashPlan.of(1024, 1024).tile());
        assertEquals(64 * (72 + 40 + 0) * Float.BYTES, FlashPlan.of(70, 37).sharedBytes(0), "rows padded to whole float4s");
    }

    @Test
    void blocksCoverEveryRowOfEveryBatchWithoutSharingABlockBetweenBatches() {
        FlashPlan plan = FlashPlan.of(64, 64);
        assertEquals(128, plan.rowsPerBlock());
        assertEquals(4 * 32, plan.blocks(4, 4096));
        assertEquals(3 * 2, plan.blocks(3, 129));
        assertEquals(0, plan.blocks(5, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.blocks(1L << 40, 128));
        assertTrue(e.getMessage().contains("1099511627776 batches of 128 rows"), e.getMessage());
    }

    @Test
    void headsBeyondOneWarpAreLeftToTheComposedPath() {
        assertTrue(FlashPlan.fits(1024, 1024));
        assertFalse(FlashPlan.fits(1025, 8));
        assertFalse(FlashPlan.fits(8, 4096));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlashPlan.of(8, 1025));
        assertEquals("fused attention: head sizes 8 (query/key) and 1025 (value) must be at most 1024", e.getMessage());
    }
}
