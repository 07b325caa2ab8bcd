package dev.panamax.detection;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Picks the training examples of one image, as torchvision's
 * {@code BalancedPositiveNegativeSampler}: up to {@code batchSizePerImage · positiveFraction}
 * positives (label ≥ 1) drawn at random, and negatives (label 0) to fill the batch; labels -1 are
 * ignored. The draws come from a seeded {@link Generator}, so a run repeats exactly.
 */
public final class BalancedPositiveNegativeSampler {
    private final int batchSizePerImage;
    private final double positiveFraction;
    private final Generator generator;

    /** The sampled prediction indices of one image, each in increasing order. */
    public record Sample(int[] positives, int[] negatives) {
        /** Positives and negatives together, in increasing index order (torchvision's where(pos | neg)). */
        public int[] all() {
            return IntStream.concat(Arrays.stream(positives), Arrays.stream(negatives)).sorted().toArray();
        }
    }

    public BalancedPositiveNegativeSampler(int batchSizePerImage, double positiveFraction, Generator generator) {
        if (batchSizePerImage < 1 || !(positiveFraction >= 0 && positiveFraction <= 1)) {
            throw new IllegalArgumentException("BalancedPositiveNegativeSampler: need batchSizePerImage >= 1 and positiveFraction in [0, 1], got "
                    + batchSizePerImage + " and " + positiveFraction);
        }
        this.batchSizePerImage = batchSizePerImage;
        this.positiveFraction = positiveFraction;
        this.generator = generator;
    }

    /** @param labels per prediction: ≥ 1 positive, 0 negative, -1 ignored */
    public Sample sample(int[] labels) {
        int[] positives = IntStream.range(0, labels.length).filter(i -> labels[i] >= 1).toArray();
        int[] negatives = IntStream.range(0, labels.length).filter(i -> labels[i] == 0).toArray();
        int numPositive = Math.min(positives.length, (int) (batchSizePerImage * positiveFraction));
        int numNegative = Math.min(negatives.length, batchSizePerImage - numPositive);
        return new Sample(randomSubset(positives, numPositive), randomSubset(negatives, numNegative));
    }

    /** {@code count} of the candidates chosen uniformly without replacement (a random permutation's first ones), sorted. */
    private int[] randomSubset(int[] candidates, int count) {
        if (count == candidates.length) {
            return candidates;
        }
        float[] keys;
        try (Tensor u = Tensor.rand(generator, candidates.length)) {
            keys = u.toFloatArray();
        }
        return IntStream.range(0, candidates.length).boxed()
                .sorted(Comparator.comparingDouble(i -> keys[i]))
                .limit(count)
                .mapToInt(i -> candidates[i])
                .sorted()
                .toArray();
    }
}
