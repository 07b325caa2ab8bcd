package dev.panamax.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of one epoch: on a terminal a bar redrawn in place with rate, ETA and running loss;
 * otherwise (a log file, CI) a plain line every few seconds, so logs stay readable.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastPrint;

    /**
     * @param terminal redraw in place (true when stdout is a console)
     * @param total    steps in the epoch
     */
    public ProgressBar(PrintStream out, boolean terminal, String label, long total) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = total;
    }

    /** True when the JVM's stdout is an interactive terminal. */
    public static boolean stdoutIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** Reports that {@code done} of the steps are finished, with {@code samples} seen so far. */
    public void update(long done, long samples, double runningLoss) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (!terminal && !last && now - lastPrint < PLAIN_INTERVAL_NANOS) {
            return;
        }
        if (terminal && !last && now - lastPrint < 100_000_000L) {
            return;
        }
        lastPrint = now;
        double seconds = (now - start) / 1e9;
        double rate = samples / Math.max(seconds, 1e-9);
        double eta = done == 0 ? 0 : seconds * (total - done) / done;
        String stats = String.format(Locale.ROOT, "%d/%d  %.0f samples/s  ETA %s  loss %.4f", done, total, rate, clock(eta), runningLoss);
        if (terminal) {
            int filled = (int) (WIDTH * done / Math.max(1, total));
            out.print("\r" + label + " [" + "=".repeat(filled) + (filled < WIDTH ? ">" : "") + " ".repeat(Math.max(0, WIDTH - filled - 1)) + "] " + stats);
            if (last) {
                out.println();
            }
        } else {
            out.println(label + " " + stats);
        }
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
