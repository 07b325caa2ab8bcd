package dev.panamax.bench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Markdown table: one row per case and thread count, the median throughput of every peer, and the ratio of
 * the first peer (Panamax) to each other peer (above 1: Panamax is faster), how far the outputs differ, and
 * how busy other processes kept the machine meanwhile.
 */
final class ResultTable {
    /** {@code foreignLoad}: the largest fraction of the machine other processes used while a peer was timed. */
    record Row(String caseName, int threads, Map<Peer, Measurement> results, double maxRelativeDifference,
               double foreignLoad) {
        boolean noisy() {
            return foreignLoad > NOISY_LOAD;
        }
    }

    /** Rows where other processes used more than this share of the machine are marked as untrustworthy. */
    static final double NOISY_LOAD = 0.05;

    private final List<Peer> peers;
    private final List<Row> rows = new ArrayList<>();

    ResultTable(List<Peer> peers) {
        this.peers = peers;
    }

    void add(Row row) {
        rows.add(row);
    }

    String render() {
        List<String> header = new ArrayList<>(List.of("case", "threads"));
        for (Peer p : peers) {
            header.add(p.name() + " GFLOP/s");
        }
        for (Peer p : peers.subList(1, peers.size())) {
            header.add(peers.get(0).name() + "/" + p.name());
        }
        header.add("max rel diff");
        header.add("other load");
        List<List<String>> cells = new ArrayList<>();
        cells.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>(List.of(row.caseName(), Integer.toString(row.threads())));
            for (Peer p : peers) {
                Measurement m = row.results().get(p);
                line.add(m == null ? "n/a" : format("%.1f", m.medianGflops()));
            }
            Measurement first = row.results().get(peers.get(0));
            for (Peer p : peers.subList(1, peers.size())) {
                Measurement other = row.results().get(p);
                line.add(first == null || other == null ? "n/a"
                        : format("%.2f", other.medianSeconds() / first.medianSeconds()));
            }
            line.add(Double.isNaN(row.maxRelativeDifference()) ? "n/a" : format("%.1e", row.maxRelativeDifference()));
            line.add(Double.isNaN(row.foreignLoad()) ? "n/a"
                    : format("%.0f%%", 100 * row.foreignLoad()) + (row.noisy() ? " (noisy)" : ""));
            cells.add(line);
        }
        return markdown(cells);
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
