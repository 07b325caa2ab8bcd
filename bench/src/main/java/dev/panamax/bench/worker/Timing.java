package dev.panamax.bench.worker;

/** The timing loop every worker runs: warm-up, then timed repetitions, watching the machine's other load meanwhile. */
public final class Timing {
    private Timing() {}

    /** Seconds of each timed run, and the share of the machine (0..1, NaN if unknown) other processes used meanwhile. */
    public record Result(double[] seconds, double foreignLoad) {}

    /** Warm-up runs until both {@code warmupReps} runs and {@code warmupSeconds} have passed (so the JIT has compiled the kernels). */
    public static Result measure(Task task, int reps, int warmupReps, double warmupSeconds) {
        long warmupStart = System.nanoTime();
        for (int i = 0; i < warmupReps || System.nanoTime() - warmupStart < warmupSeconds * 1e9; i++) {
            task.run();
        }
        double[] seconds = new double[reps];
        ForeignLoad load = new ForeignLoad();
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            task.run();
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        return new Result(seconds, load.fraction());
    }
}
