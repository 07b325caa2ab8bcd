package dev.panamax.bench.compare;

import java.util.Arrays;
import java.util.List;

/** Timed repetitions of one case on one peer (or, after several rounds, the median of each round). */
record Measurement(double[] seconds, double flops) {
    /** One round as it is; several as one measurement whose "repetitions" are the rounds' medians. */
    static Measurement medianOfRounds(List<Measurement> rounds) {
        return rounds.size() == 1 ? rounds.get(0)
                : new Measurement(rounds.stream().mapToDouble(Measurement::medianSeconds).toArray(), rounds.get(0).flops());
    }

    double medianSeconds() {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    double medianGflops() {
        return flops / medianSeconds() / 1e9;
    }
}
