package dev.panamax.cli;

import dev.panamax.autograd.GradMode;
import dev.panamax.data.datasets.FashionMnist;
import dev.panamax.detection.DetectorCheckpoint;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * {@code panamax predict CHECKPOINT IMAGE}: the five most likely classes of one image, or, for a
 * detector's checkpoint, the objects in it ({@link DetectionPrediction}). For a classifier the image
 * is made grey, scaled to 28×28 and, when its border is light, inverted: Fashion-MNIST shows
 * light items on black.
 */
final class PredictCommand {
    static final String USAGE = """
            usage: panamax predict CHECKPOINT IMAGE.png [--out FILE] [--min-score S]
              a classifier's checkpoint: the five most likely classes of the image
              a detector's checkpoint (panamax demo detect): the objects found, each with its class, score and box,
                drawn into IMAGE-detections.png or --out FILE; --min-score (default 0.5) is the lowest score shown
            """;
    private static final int SIDE = 28;

    private PredictCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = Args.parse("predict", argv, Set.of("out", "min-score"), Set.of());
        Path checkpoint = EvalCommand.TrainedModel.checkpointArgument("predict", a, 2);
        Path imageFile = Path.of(a.positional().get(1));
        if (!Files.isRegularFile(imageFile)) {
            throw new Args.UsageException("predict: image " + imageFile + " does not exist");
        }
        if (DetectorCheckpoint.isDetector(checkpoint)) {
            return DetectionPrediction.run(checkpoint, imageFile, a, out);
        }
        if (a.flag("out") || a.flag("min-score")) {
            throw new Args.UsageException("predict: --out and --min-score are for a detector's checkpoint; " + checkpoint + " holds a classifier");
        }
        return classify(checkpoint, imageFile, out);
    }

    private static int classify(Path checkpoint, Path imageFile, PrintStream out) throws Exception {
        BufferedImage image = ImageIO.read(imageFile.toFile());
        if (image == null) {
            throw new Args.UsageException("predict: " + imageFile + " is not an image format Java can read (PNG, JPEG, GIF, BMP)");
        }
        float[] pixels = grey28(image);
        boolean inverted = borderMean(pixels) > 0.5;
        if (inverted) {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = 1 - pixels[i];
            }
        }
        try (EvalCommand.TrainedModel m = EvalCommand.TrainedModel.load("predict", checkpoint);
             Scope s = Scope.open(); GradMode.Guard ng = GradMode.noGrad()) {
            m.model().eval();
            Tensor x = Tensor.of(pixels, 1, 1, SIDE, SIDE).sub(m.mean()).div(m.std());
            float[] p = m.model().forward(x).softmax(1).toFloatArray();
            out.printf("%s (%s, epoch %d)%s:%n", imageFile, m.name(), m.epoch(), inverted ? " [inverted: light background]" : "");
            Integer[] order = new Integer[p.length];
            for (int i = 0; i < p.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (i, j) -> Float.compare(p[j], p[i]));
            for (int r = 0; r < Math.min(5, p.length); r++) {
                out.printf(Locale.ROOT, "  %d. %-12s %6.2f%%%n", r + 1, FashionMnist.CLASSES.get(order[r]), 100 * p[order[r]]);
            }
        }
        return Main.OK;
    }

    /** Luminance in [0, 1] of the image scaled (bilinear) to 28×28. */
    private static float[] grey28(BufferedImage image) {
        BufferedImage small = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, SIDE, SIDE, null);
        g.dispose();
        float[] v = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int rgb = small.getRGB(x, y);
                v[y * SIDE + x] = (0.299f * (rgb >> 16 & 0xFF) + 0.587f * (rgb >> 8 & 0xFF) + 0.114f * (rgb & 0xFF)) / 255f;
            }
        }
        return v;
    }

    private static double borderMean(float[] v) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < SIDE; i++) {
            s += v[i] + v[(SIDE - 1) * SIDE + i] + v[i * SIDE] + v[i * SIDE + SIDE - 1];
            n += 4;
        }
        return s / n;
    }
}
