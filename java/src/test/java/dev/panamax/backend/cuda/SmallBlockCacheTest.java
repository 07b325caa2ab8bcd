package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallBlockCacheTest {
    @Test
    void smallRequestsRoundUpToHalfKilobytesAndLargeOnesStayExact() {
        assertEquals(512, SmallBlockCache.blockSize(1));
        assertEquals(512, SmallBlockCache.blockSize(512));
        assertEquals(1024, SmallBlockCache.blockSize(513));
        assertEquals(SmallBlockCache.LIMIT, SmallBlockCache.blockSize(SmallBlockCache.LIMIT));
        assertEquals(SmallBlockCache.LIMIT + 1, SmallBlockCache.blockSize(SmallBlockCache.LIMIT + 1));
        assertFalse(SmallBlockCache.cacheable(SmallBlockCache.blockSize(SmallBlockCache.LIMIT + 1)));
    }

    @Test
    void aFreedBlockServesTheNextRequestOfItsSizeOnly() {
        SmallBlockCache cache = new SmallBlockCache();
        assertEquals(0, cache.take(512));
        cache.put(0x1000, 512);
        cache.put(0x2000, 1024);
        assertEquals(1536, cache.cachedBytes());
        assertEquals(0, cache.take(1536), "no block of another size is handed out");
        assertEquals(0x1000, cache.take(512));
        assertEquals(0, cache.take(512));
        assertEquals(1024, cache.cachedBytes());
    }

    @Test
    void stacksGrowAndDrainReleasesEveryBlockOnce() {
        SmallBlockCache cache = new SmallBlockCache();
        for (long a = 1; a <= 100; a++) {
            cache.put(a << 12, SmallBlockCache.LIMIT);
        }
        assertEquals(100 * SmallBlockCache.LIMIT, cache.cachedBytes());
        assertEquals(100L << 12, cache.take(SmallBlockCache.LIMIT), "last freed, first reused");
        List<Long> released = new ArrayList<>();
        cache.drain(released::add);
        assertEquals(99, released.size());
        assertEquals(99, released.stream().distinct().count());
        assertEquals(0, cache.cachedBytes());
        assertEquals(0, cache.take(SmallBlockCache.LIMIT));
    }
}
