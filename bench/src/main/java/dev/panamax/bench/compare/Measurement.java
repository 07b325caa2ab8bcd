package dev.panamax.bench.compare;

import java.util.Arrays;

/** Timed repetitions of one case on one peer. */
record Measurement(double[] seconds, double flops) {
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
