package dev.panamax.detection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One row of a detector's training table: the mean of each training loss over the epoch, the
 * test split's COCO AP, AP50 and AP75 after it (NaN when not evaluated), the learning rate at its
 * end and its seconds.
 *
 * @param losses mean per loss name, in {@link #LOSSES} order
 */
public record DetectionEpochStats(int epoch, Map<String, Double> losses, double ap, double ap50, double ap75, double lr, double seconds) {
    /** The four losses of {@link FasterRCNN#losses}, in the order tables and curves show them. */
    public static final List<String> LOSSES = List.of("loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg");
    static final String CSV_HEADER = "epoch," + String.join(",", LOSSES) + ",loss_total,AP,AP50,AP75,lr,seconds";

    public DetectionEpochStats {
        if (!losses.keySet().equals(Set.copyOf(LOSSES))) {
            throw new IllegalArgumentException("DetectionEpochStats: losses must be " + LOSSES + ", got " + losses.keySet());
        }
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String name : LOSSES) {
            ordered.put(name, losses.get(name));
        }
        losses = Collections.unmodifiableMap(ordered);
    }

    /** The sum of the four losses: what training minimises. */
    public double total() {
        return losses.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    String csv() {
        List<String> fields = new ArrayList<>();
        fields.add(Integer.toString(epoch));
        losses.values().forEach(v -> fields.add(number(v)));
        for (double v : new double[] {total(), ap, ap50, ap75}) {
            fields.add(number(v));
        }
        fields.add(String.format(Locale.ROOT, "%.8g", lr));
        fields.add(String.format(Locale.ROOT, "%.3f", seconds));
        return String.join(",", fields);
    }

    static DetectionEpochStats parseCsv(String line) {
        double[] f = Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray();
        Map<String, Double> losses = new LinkedHashMap<>();
        for (int i = 0; i < LOSSES.size(); i++) {
            losses.put(LOSSES.get(i), f[1 + i]);
        }
        int at = 1 + LOSSES.size() + 1; // after the total, which is derived
        return new DetectionEpochStats((int) f[0], losses, f[at], f[at + 1], f[at + 2], f[at + 3], f[at + 4]);
    }

    /** The table as CSV text, header first. */
    static String csv(List<DetectionEpochStats> history) {
        StringBuilder sb = new StringBuilder(CSV_HEADER);
        history.forEach(h -> sb.append('\n').append(h.csv()));
        return sb.append('\n').toString();
    }

    /** {@link #csv(List)} read back. */
    static List<DetectionEpochStats> parseCsv(List<String> lines) {
        return lines.stream().skip(1).filter(l -> !l.isBlank()).map(DetectionEpochStats::parseCsv).toList();
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6f", v);
    }
}
