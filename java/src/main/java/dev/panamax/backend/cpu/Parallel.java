package dev.panamax.backend.cpu;

/**
 * The one set of threads every CPU kernel splits its work over: the calling thread and the
 * workers of a {@link Team}, which take a region's chunks one by one.
 *
 * <p>Sized by the system property {@code panamax.threads} (default: available processors) and
 * resizable at run time with {@link #setThreads(int)}. Work is split into a fixed number of
 * ranges that depends only on the problem size and the grain, never on the thread count, so a
 * kernel that combines per-range partial results in range order gives the same bits on 1 or N
 * threads. A region started inside another, or while another thread's region holds the team,
 * runs on its calling thread alone.
 */
public final class Parallel {
    private static volatile Team team = new Team(initialThreads());

    private Parallel() {}

    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(long from, long to);
    }

    /** Body of a parallel loop over chunk indices {@code [0, chunks)}. */
    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk);
    }

    /** Number of threads kernels may use: the calling thread and its workers. */
    public static int threads() {
        return team.size;
    }

    /** Replaces the team with one of {@code n} threads; kernels already running finish on the old one. */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("panamax.threads must be >= 1, got " + n);
        }
        if (n == threads()) {
            return;
        }
        Team old = team;
        team = new Team(n);
        old.close();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into ranges of at least {@code grain} elements.
     * Runs inline when the work is small or only one thread is configured.
     */
    public static void forRange(long n, long grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = chunkCount(n, grain);
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        forChunks(chunks, c -> body.run(chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1)));
    }

    /** Number of ranges {@link #forRange} splits {@code n} into for the given grain (independent of threads). */
    public static int chunkCount(long n, long grain) {
        long g = Math.max(1, grain);
        return (int) Math.max(1, Math.min(256, n / g));
    }

    /** First index of range {@code c} when {@code n} is split into {@code chunks} near-equal ranges. */
    public static long chunkStart(long n, int chunks, int c) {
        return n / chunks * c + Math.min(c, n % chunks);
    }

    /** Runs {@code body(c)} for every {@code c} in {@code [0, chunks)}, on the team's threads when it helps. */
    public static void forChunks(int chunks, ChunkBody body) {
        if (chunks <= 0) {
            return;
        }
        Team t = team;
        if (chunks > 1 && t.size > 1 && t.tryRun(chunks, body)) {
            return;
        }
        for (int c = 0; c < chunks; c++) {
            body.run(c);
        }
    }

    private static int initialThreads() {
        String v = System.getProperty("panamax.threads");
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("system property panamax.threads must be a positive integer, got '" + v + "'");
    }
}
