package dev.panamax.bench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Markdown table: one row per workload and thread count, every peer's median milliseconds, the time ratio of
 * the first peer (Panamax) to each other peer (below 1: Panamax is faster), Panamax's GFLOP/s where the
 * flops are counted, how far the results differ, and how busy other processes kept the machine meanwhile.
 */
final class ResultTable {
    /**
     * {@code failed}: peers whose worker failed on this row. {@code foreignLoad}: the largest fraction of the
     * machine other processes used while a peer was timed.
     */
    record Row(String caseName, int threads, Map<String, Measurement> results, Set<String> failed, double maxRelativeDifference,
               double foreignLoad) {
        boolean noisy() {
            return foreignLoad > NOISY_LOAD;
        }
    }

    /** Rows where other processes used more than this share of the machine are marked as untrustworthy. */
    static final double NOISY_LOAD = 0.05;

    private final List<String> peers;
    private final List<Row> rows = new ArrayList<>();

    /** {@code peers}: column titles, the reference (Panamax) first. */
    ResultTable(List<String> peers) {
        this.peers = peers;
    }

    void add(Row row) {
        rows.add(row);
    }

    String render() {
        String first = peers.get(0);
        List<String> others = peers.subList(1, peers.size());
        List<String> header = new ArrayList<>(List.of("case", "threads"));
        for (String p : peers) {
            header.add(p + " ms");
        }
        for (String p : others) {
            header.add(first + "/" + p);
        }
        header.addAll(List.of(first + " GFLOP/s", "max rel diff", "other load"));
        List<List<String>> cells = new ArrayList<>();
        cells.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>(List.of(row.caseName(), Integer.toString(row.threads())));
            for (String p : peers) {
                Measurement m = row.results().get(p);
                line.add(m != null ? milliseconds(m.medianSeconds()) : row.failed().contains(p) ? "failed" : "n/a");
            }
            Measurement reference = row.results().get(first);
            for (String p : others) {
                Measurement other = row.results().get(p);
                line.add(reference == null || other == null ? "n/a" : format("%.2f", reference.medianSeconds() / other.medianSeconds()));
            }
            line.add(reference == null || reference.flops() == 0 ? "" : format("%.1f", reference.medianGflops()));
            line.add(Double.isNaN(row.maxRelativeDifference()) ? "n/a" : format("%.1e", row.maxRelativeDifference()));
            line.add(Double.isNaN(row.foreignLoad()) ? "n/a"
                    : format("%.0f%%", 100 * row.foreignLoad()) + (row.noisy() ? " (noisy)" : ""));
            cells.add(line);
        }
        return markdown(cells);
    }

    /** Three significant digits: 0.403, 21.2, 705. */
    private static String milliseconds(double seconds) {
        double ms = seconds * 1e3;
        return ms >= 100 ? format("%.0f", ms) : ms >= 10 ? format("%.1f", ms) : ms >= 1 ? format("%.2f", ms) : format("%.3f", ms);
    }

    private static String markdown(List<List<String>> cells) {
        int columns = cells.get(0).size();
        int[] width = new int[columns];
        for (List<String> line : cells) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], line.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            out.append('|');
            for (int c = 0; c < columns; c++) {
                String cell = cells.get(r).get(c);
                out.append(' ').append(c < 2 ? pad(cell, width[c]) : padLeft(cell, width[c])).append(" |");
            }
            out.append('\n');
            if (r == 0) {
                out.append('|');
                for (int c = 0; c < columns; c++) {
                    out.append(c < 2 ? "-".repeat(width[c] + 2) : "-".repeat(width[c] + 1) + ":").append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    private static String padLeft(String s, int width) {
        return " ".repeat(width - s.length()) + s;
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
