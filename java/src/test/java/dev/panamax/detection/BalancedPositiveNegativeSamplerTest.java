package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Generator;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BalancedPositiveNegativeSamplerTest {
    /** 10 positives (label 2), 5 ignored, 100 negatives. */
    private static final int[] LABELS = IntStream.range(0, 115).map(i -> i < 10 ? 2 : i < 15 ? -1 : 0).toArray();

    @Test
    void takesTheFractionOfPositivesAndFillsWithNegatives() {
        var s = new BalancedPositiveNegativeSampler(16, 0.25, new Generator(7)).sample(LABELS);
        assertEquals(4, s.positives().length);
        assertEquals(12, s.negatives().length);
        assertTrue(Arrays.stream(s.positives()).allMatch(i -> LABELS[i] >= 1));
        assertTrue(Arrays.stream(s.negatives()).allMatch(i -> LABELS[i] == 0));
        assertEquals(16, Arrays.stream(s.all()).distinct().count());
        assertTrue(IntStream.range(1, 16).allMatch(i -> s.all()[i - 1] < s.all()[i]), "all() is in increasing order");
    }

    @Test
    void fewPositivesLeaveRoomForNegativesAndFewCandidatesAreAllTaken() {
        var s = new BalancedPositiveNegativeSampler(64, 0.5, new Generator(7)).sample(LABELS);
        assertArrayEquals(IntStream.range(0, 10).toArray(), s.positives());
        assertEquals(54, s.negatives().length);
        var all = new BalancedPositiveNegativeSampler(512, 0.25, new Generator(7)).sample(LABELS);
        assertEquals(10, all.positives().length);
        assertEquals(100, all.negatives().length);
    }

    @Test
    void theSeedDecidesTheDraw() {
        int[] a = new BalancedPositiveNegativeSampler(16, 0.25, new Generator(1)).sample(LABELS).all();
        int[] b = new BalancedPositiveNegativeSampler(16, 0.25, new Generator(1)).sample(LABELS).all();
        int[] c = new BalancedPositiveNegativeSampler(16, 0.25, new Generator(2)).sample(LABELS).all();
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    }

    @Test
    void positivesAreDrawnUniformly() {
        var sampler = new BalancedPositiveNegativeSampler(4, 0.5, new Generator(3));
        int[] counts = new int[10];
        for (int round = 0; round < 500; round++) {
            Arrays.stream(sampler.sample(LABELS).positives()).forEach(i -> counts[i]++);
        }
        // each positive is drawn with probability 2/10: 100 of 500 expected
        assertTrue(Arrays.stream(counts).allMatch(n -> n > 60 && n < 140), Arrays.toString(counts));
    }
}
