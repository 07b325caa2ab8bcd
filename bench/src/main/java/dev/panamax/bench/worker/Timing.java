package dev.panamax.bench.worker;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/** The timing loop every worker runs: warm-up, then timed repetitions, watching the machine's other load meanwhile. */
public final class Timing {
    /** Warm-up goes on while the fastest run of a window is this much faster than the window before's ... */
    private static final double STILL_IMPROVING = 0.97;
    /** ... or while the JIT compilers were busy for more than this share of the window's time ... */
    private static final double STILL_COMPILING = 0.05;
    /** ... (a window is at least this long, as compilations come in bursts) ... */
    private static final double MIN_WINDOW_SECONDS = 1;
    /** ... but no longer than this. */
    private static final double MAX_WARMUP_SECONDS = 30;
    /**
     * The timed runs last at least this long, so that their median outlasts a late compilation: one of a few hundred
     * ms on one of 2 cores slowed ten 11 ms LeNet-5 steps to 15-24 ms.
     */
    private static final double MIN_TIMED_SECONDS = 1;

    private Timing() {}

    /** Seconds of each timed run, and the share of the machine (0..1, NaN if unknown) other processes used meanwhile. */
    public record Result(double[] seconds, double foreignLoad) {}

    /**
     * Warms up for at least {@code warmupReps} runs and {@code warmupSeconds}, then for as long as the runs keep
     * getting faster or the JIT keeps compiling: C2 compiles a Java kernel's vector loops only after many runs, and
     * until then they run several times slower (a 1 s warm-up left the LeNet step at twice its steady time); on 2
     * cores a compiler thread still at work takes a core from a 2-thread kernel (the LeNet step's compilations went
     * on for about 20 s, and a 5 s warm-up timed 11-24 ms where it settles at 10-11). Native peers settle at once.
     */
    public static Result measure(Task task, int reps, int warmupReps, double warmupSeconds) {
        long warmupStart = System.nanoTime();
        for (int i = 0; i < warmupReps || elapsed(warmupStart) < warmupSeconds; i++) {
            task.run();
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
        int windowReps = Math.max(5, warmupReps);
        double previous = Double.POSITIVE_INFINITY;
        while (elapsed(warmupStart) < MAX_WARMUP_SECONDS) {
            long windowStart = System.nanoTime();
            long compiledBefore = watchJit ? jit.getTotalCompilationTime() : 0;
            // The fastest run of a window, not its median: other processes only ever add time.
            double fastest = Double.POSITIVE_INFINITY;
            for (int r = 0; r < windowReps || elapsed(windowStart) < MIN_WINDOW_SECONDS; r++) {
                fastest = Math.min(fastest, timeOnce(task));
            }
            boolean compiling = watchJit
                    && (jit.getTotalCompilationTime() - compiledBefore) / 1e3 > STILL_COMPILING * elapsed(windowStart);
            if (!compiling && fastest > STILL_IMPROVING * previous) {
                break;
            }
            previous = Math.min(previous, fastest);
        }
        ForeignLoad load = new ForeignLoad();
        double[] seconds = new double[reps];
        long timedStart = System.nanoTime();
        int runs = 0;
        for (; runs < reps || elapsed(timedStart) < MIN_TIMED_SECONDS; runs++) {
            if (runs == seconds.length) {
                seconds = Arrays.copyOf(seconds, 2 * runs);
            }
            seconds[runs] = timeOnce(task);
        }
        return new Result(Arrays.copyOf(seconds, runs), load.fraction());
    }

    private static double timeOnce(Task task) {
        long start = System.nanoTime();
        task.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double elapsed(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
