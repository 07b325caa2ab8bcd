package dev.panamax.detection;

import java.util.Locale;

/**
 * The twelve numbers of pycocotools' {@code COCOeval.summarize()} ({@code stats[0..11]}), each
 * -1 where no category had ground truth to measure it on.
 */
public record CocoStats(double ap, double ap50, double ap75, double apSmall, double apMedium, double apLarge, double ar1, double ar10,
        double ar100, double arSmall, double arMedium, double arLarge) {

    /** The numbers in pycocotools' order. */
    public double[] toArray() {
        return new double[] {ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall, arMedium, arLarge};
    }

    /** The table pycocotools prints, line for line. */
    @Override
    public String toString() {
        double[] s = toArray();
        String[] iou = {"0.50:0.95", "0.50", "0.75", "0.50:0.95", "0.50:0.95", "0.50:0.95"};
        String[] area = {"all", "all", "all", "small", "medium", "large", "all", "all", "all", "small", "medium", "large"};
        int[] maxDets = {100, 100, 100, 100, 100, 100, 1, 10, 100, 100, 100, 100};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length; i++) {
            boolean precision = i < 6;
            sb.append(String.format(Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %.3f%n",
                    precision ? "Average Precision" : "Average Recall", precision ? "(AP)" : "(AR)", precision ? iou[i] : "0.50:0.95",
                    area[i], maxDets[i], s[i]));
        }
        return sb.toString();
    }
}
