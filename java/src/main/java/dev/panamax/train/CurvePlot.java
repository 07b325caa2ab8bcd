package dev.panamax.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Line charts of training curves as PNG, drawn with Java2D in headless mode: one panel per
 * metric (e.g. loss, accuracy), one line per series (e.g. train, validation).
 */
public final class CurvePlot {
    /** One line: a name, its y values and their x values (null: x = 1, 2, ...). */
    public record Series(String name, List<Double> values, List<Double> xs) {
        public Series(String name, List<Double> values) {
            this(name, values, null);
        }

        double x(int i) {
            return xs == null ? i + 1 : xs.get(i);
        }
    }

    /**
     * One panel: a title, its lines, and whether the x and y axes are logarithmic (on a log y axis,
     * values that are not positive are left out, breaking the line).
     */
    public record Panel(String title, List<Series> series, boolean logX, boolean logY) {
        public Panel(String title, List<Series> series) {
            this(title, series, false, false);
        }

        public Panel(String title, List<Series> series, boolean logX) {
            this(title, series, logX, false);
        }

        double y(Series s, int i) {
            double v = s.values().get(i);
            return logY ? (v > 0 ? Math.log10(v) : Double.NaN) : v;
        }
    }

    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
            new Color(148, 103, 189)};
    private static final int PANEL_W = 480;
    private static final int PANEL_H = 340;
    private static final int MARGIN = 56;

    private CurvePlot() {}

    /** Draws the panels side by side into a PNG file (written atomically). */
    public static void write(Path png, String xLabel, List<Panel> panels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(PANEL_W * Math.max(1, panels.size()), PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            drawPanel(g, i * PANEL_W, panels.get(i), xLabel);
        }
        g.dispose();
        AtomicFiles.write(png, out -> ImageIO.write(img, "png", out));
    }

    private static void drawPanel(Graphics2D g, int x0, Panel panel, String xLabel) {
        int left = x0 + MARGIN;
        int right = x0 + PANEL_W - 16;
        int top = 32;
        int bottom = PANEL_H - 44;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (Series s : panel.series()) {
            for (int i = 0; i < s.values().size(); i++) {
                double v = panel.y(s, i);
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                double x = axis(s.x(i), panel.logX());
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
            }
        }
        if (xMin >= xMax) {
            xMin -= 1;
            xMax += 1;
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-12) {
            hi = lo + Math.max(1e-3, Math.abs(lo) * 0.1);
        }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(panel.title(), left, top - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(left, top, right - left, bottom - top);
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            int y = bottom - (int) ((bottom - top) * (double) t / 4);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, y, right - 1, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, panel.logY() ? "%.0e" : "%.3g", panel.logY() ? Math.pow(10, v) : v), x0 + 4, y + 4);
        }
        for (int t = 0; t <= 5; t++) {
            double xv = xMin + (xMax - xMin) * t / 5;
            String label = panel.logX() ? String.format(Locale.ROOT, "%.0e", Math.pow(10, xv)) : String.format(Locale.ROOT, "%.3g", xv);
            g.drawString(label, xAt(xv, xMin, xMax, left, right) - 8, bottom + 14);
        }
        g.drawString(xLabel, (left + right) / 2 - 12, bottom + 30);
        int legendY = top + 16;
        for (int s = 0; s < panel.series().size(); s++) {
            Series series = panel.series().get(s);
            g.setColor(COLORS[s % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int n = series.values().size();
            boolean dots = n <= 50;
            for (int i = 0; i < n; i++) {
                double v = panel.y(series, i);
                if (panel.logY() && Double.isNaN(v)) {
                    continue;
                }
                int x = xAt(axis(series.x(i), panel.logX()), xMin, xMax, left, right);
                int y = yAt(v, lo, hi, top, bottom);
                if (dots) {
                    g.fillOval(x - 3, y - 3, 6, 6);
                }
                double prev = i > 0 ? panel.y(series, i - 1) : Double.NaN;
                if (i > 0 && !(panel.logY() && Double.isNaN(prev))) {
                    g.drawLine(xAt(axis(series.x(i - 1), panel.logX()), xMin, xMax, left, right), yAt(prev, lo, hi, top, bottom), x, y);
                }
            }
            g.drawString(series.name(), right - 90, legendY);
            legendY += 14;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static double axis(double x, boolean log) {
        return log ? Math.log10(x) : x;
    }

    private static int xAt(double x, double xMin, double xMax, int left, int right) {
        return left + 10 + (int) ((right - left - 20) * (x - xMin) / (xMax - xMin));
    }

    private static int yAt(double v, double lo, double hi, int top, int bottom) {
        double c = Double.isFinite(v) ? v : hi;
        return bottom - (int) ((bottom - top) * (c - lo) / (hi - lo));
    }
}
