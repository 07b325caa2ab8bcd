package dev.panamax.bench.worker;

import java.util.Arrays;

/** The timing loop every worker runs: warm-up, then timed repetitions, watching the machine's other load meanwhile. */
public final class Timing {
    /** Warm-up goes on while the fastest run of a window is this much faster than the window before's ... */
    private static final double STILL_IMPROVING = 0.97;
    /** ... but no longer than this. */
    private static final double MAX_WARMUP_SECONDS = 30;

    private Timing() {}

    /** Seconds of each timed run, and the share of the machine (0..1, NaN if unknown) other processes used meanwhile. */
    public record Result(double[] seconds, double foreignLoad) {}

    /**
     * Warms up for at least {@code warmupReps} runs and {@code warmupSeconds}, then for as long as the runs keep
     * getting faster: C2 compiles a Java kernel's vector loops only after many runs, and until then they run
     * several times slower (a 1 s warm-up left the LeNet step at twice its steady time). Native peers settle at once.
     */
    public static Result measure(Task task, int reps, int warmupReps, double warmupSeconds) {
        long warmupStart = System.nanoTime();
        for (int i = 0; i < warmupReps || elapsed(warmupStart) < warmupSeconds; i++) {
            task.run();
        }
        // The fastest run of a window, not its median: other processes only ever add time.
        double[] window = new double[Math.max(5, warmupReps)];
        double previous = Double.POSITIVE_INFINITY;
        while (elapsed(warmupStart) < MAX_WARMUP_SECONDS) {
            double fastest = Arrays.stream(time(task, window)).min().getAsDouble();
            if (fastest > STILL_IMPROVING * previous) {
                break;
            }
            previous = fastest;
        }
        ForeignLoad load = new ForeignLoad();
        double[] seconds = time(task, new double[reps]);
        return new Result(seconds, load.fraction());
    }

    private static double[] time(Task task, double[] seconds) {
        for (int r = 0; r < seconds.length; r++) {
            long start = System.nanoTime();
            task.run();
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        return seconds;
    }

    private static double elapsed(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
