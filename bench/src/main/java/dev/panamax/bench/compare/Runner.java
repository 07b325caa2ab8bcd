package dev.panamax.bench.compare;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times one case on every peer, one peer after the other: warm-up, then the timed repetitions.
 *
 * <p>Peers are not interleaved repetition by repetition: OpenBLAS's worker threads spin for a while after
 * each call and would steal a core from whoever runs next. A pause before each peer lets them go to sleep.
 */
final class Runner {
    private static final long PAUSE_MILLIS = 500;

    private Runner() {}

    static ResultTable.Row measure(Case c, List<Peer> peers, int threads, Options options) {
        Map<Peer, Measurement> results = new LinkedHashMap<>();
        double foreignLoad = 0;
        for (Peer peer : peers) {
            var task = c.taskFor(peer);
            if (task.isEmpty()) {
                continue;
            }
            peer.setThreads(threads);
            pause();
            warmUp(task.get(), options);
            double[] seconds = new double[options.reps()];
            var load = new ForeignLoad();
            for (int r = 0; r < seconds.length; r++) {
                long start = System.nanoTime();
                task.get().run();
                seconds[r] = (System.nanoTime() - start) / 1e9;
            }
            foreignLoad = Math.max(foreignLoad, load.fraction());
            results.put(peer, new Measurement(seconds, c.flops()));
        }
        return new ResultTable.Row(c.name(), threads, results, maxRelativeDifference(c, List.copyOf(results.keySet())),
                foreignLoad);
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void warmUp(Runnable task, Options options) {
        long start = System.nanoTime();
        for (int i = 0; i < options.warmupReps() || System.nanoTime() - start < options.warmupSeconds() * 1e9; i++) {
            task.run();
        }
    }

    /** max |out - reference| / max |reference| over all peers, the first peer's output being the reference. */
    private static double maxRelativeDifference(Case c, List<Peer> ran) {
        if (ran.size() < 2) {
            return Double.NaN;
        }
        MemorySegment reference = c.outputOf(ran.get(0));
        double scale = 0;
        for (long i = 0; i < c.outputLength(); i++) {
            scale = Math.max(scale, Math.abs(reference.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
        }
        double worst = 0;
        for (Peer peer : ran.subList(1, ran.size())) {
            MemorySegment out = c.outputOf(peer);
            for (long i = 0; i < c.outputLength(); i++) {
                float diff = Math.abs(out.getAtIndex(ValueLayout.JAVA_FLOAT, i) - reference.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                worst = Math.max(worst, Float.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
            }
        }
        return scale == 0 ? worst : worst / scale;
    }
}
