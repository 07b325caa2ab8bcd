package dev.panamax.bench.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine was with other processes while we timed: (all CPU time - this JVM's CPU time) /
 * (wall time x CPUs), from /proc. On a small shared machine a concurrent build halves a peer's numbers; this
 * says when a row cannot be trusted. NaN where /proc is missing.
 */
public final class ForeignLoad {
    private final long[] start = sample();

    /** Fraction of the machine (0..1) used by other processes since construction. */
    public double fraction() {
        long[] end = sample();
        if (start == null || end == null || end[0] == start[0]) {
            return Double.NaN;
        }
        double total = end[0] - start[0];
        double busy = end[1] - start[1];
        double ours = end[2] - start[2];
        return Math.max(0, (busy - ours) / total);
    }

    /** {all jiffies, busy jiffies, this process's jiffies}, or null. */
    private static long[] sample() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(cpu.length, 9); i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(cpu[i]);
            }
            long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
            String self = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = self.substring(self.lastIndexOf(')') + 2).split(" ");
            long ours = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
            return new long[] {total, total - idle, ours};
        } catch (IOException | RuntimeException unavailable) {
            return null;
        }
    }
}
