package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import dev.panamax.train.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A grid of images with their true boxes (green) and predicted boxes (red, tagged "class score")
 * as a PNG, drawn with Java2D in headless mode: for looking at what a detector finds.
 *
 * <pre>{@code
 * DetectionPlot.write(Path.of("val.png"), List.of(new DetectionPlot.Panel(image, target, detections)), classNames);
 * }</pre>
 */
public final class DetectionPlot {
    /** One cell: an image [3 or 1, H, W] with values in [0, 1], its objects and a detector's output (either may be null). */
    public record Panel(Tensor image, Target truth, Detections predicted) {
        public Panel {
            if (image == null || image.rank() != 3 || (image.size(0) != 3 && image.size(0) != 1)) {
                throw new IllegalArgumentException("DetectionPlot.Panel: image must be [3, H, W] or [1, H, W], got "
                        + (image == null ? "null" : image.describe()));
            }
        }
    }

    /** How the grid is laid out: cells per row, pixels per image pixel, and the lowest score drawn. */
    public record Layout(int columns, int scale, double minScore) {
        public static final Layout DEFAULT = new Layout(4, 2, 0.5);

        public Layout {
            if (columns < 1 || scale < 1) {
                throw new IllegalArgumentException("DetectionPlot.Layout: columns and scale must be >= 1, got " + columns + ", " + scale);
            }
        }
    }

    static final int GAP = 4;
    private static final Color TRUTH = new Color(40, 200, 60);
    private static final Color PREDICTED = new Color(230, 40, 40);

    private DetectionPlot() {}

    /** {@link #write(Path, List, List, Layout)} with {@link Layout#DEFAULT}. */
    public static void write(Path png, List<Panel> panels, List<String> classNames) throws IOException {
        write(png, panels, classNames, Layout.DEFAULT);
    }

    /**
     * Draws the panels row by row, each in a cell as large as the largest image times {@code
     * scale}, {@code GAP} pixels apart, and writes the PNG atomically. {@code classNames.get(label)}
     * names a label; labels past the list are written as numbers.
     */
    public static void write(Path png, List<Panel> panels, List<String> classNames, Layout layout) throws IOException {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("DetectionPlot.write: no panels");
        }
        System.setProperty("java.awt.headless", "true");
        int cellW = panels.stream().mapToInt(p -> (int) p.image().size(2)).max().orElseThrow() * layout.scale();
        int cellH = panels.stream().mapToInt(p -> (int) p.image().size(1)).max().orElseThrow() * layout.scale();
        int columns = Math.min(layout.columns(), panels.size());
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage img = new BufferedImage(columns * cellW + (columns + 1) * GAP, rows * cellH + (rows + 1) * GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setStroke(new BasicStroke(2));
        for (int i = 0; i < panels.size(); i++) {
            Panel p = panels.get(i);
            int x0 = GAP + (i % columns) * (cellW + GAP);
            int y0 = GAP + (i / columns) * (cellH + GAP);
            g.drawImage(ImageFiles.toImage(p.image()), x0, y0, (int) p.image().size(2) * layout.scale(), (int) p.image().size(1) * layout.scale(), null);
            if (p.truth() != null) {
                drawBoxes(g, x0, y0, layout.scale(), p.truth().boxes(), null, null, TRUTH, classNames, Double.NEGATIVE_INFINITY);
            }
            if (p.predicted() != null) {
                drawBoxes(g, x0, y0, layout.scale(), p.predicted().boxes(), p.predicted().labels(), p.predicted().scores(), PREDICTED, classNames,
                        layout.minScore());
            }
        }
        g.dispose();
        AtomicFiles.write(png, out -> ImageIO.write(img, "png", out));
    }

    /**
     * Boxes scoring at least {@code minScore}, each with a "class score" tag above it (inside,
     * where the box touches the top); without labels (true boxes), bare boxes.
     */
    private static void drawBoxes(Graphics2D g, int x0, int y0, int scale, Tensor boxes, Tensor labels, Tensor scores, Color color,
            List<String> names, double minScore) {
        float[] b = boxes.toFloatArray();
        long[] l = labels == null ? null : labels.toLongArray();
        float[] s = scores == null ? null : scores.toFloatArray();
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < b.length / 4; i++) {
            if (s != null && s[i] < minScore) {
                continue;
            }
            int x = x0 + Math.round(b[4 * i] * scale);
            int y = y0 + Math.round(b[4 * i + 1] * scale);
            int w = Math.round((b[4 * i + 2] - b[4 * i]) * scale);
            int h = Math.round((b[4 * i + 3] - b[4 * i + 1]) * scale);
            g.setColor(color);
            g.drawRect(x, y, w, h);
            if (l == null) {
                continue;
            }
            int label = (int) l[i];
            String tag = (label >= 0 && label < names.size() ? names.get(label) : Integer.toString(label))
                    + (s == null ? "" : String.format(Locale.ROOT, " %.2f", s[i]));
            int ty = y - fm.getHeight() >= y0 ? y - fm.getHeight() : y;
            g.fillRect(x, ty, fm.stringWidth(tag) + 4, fm.getHeight());
            g.setColor(Color.WHITE);
            g.drawString(tag, x + 2, ty + fm.getAscent());
        }
    }
}
