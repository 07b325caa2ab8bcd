package dev.panamax.cli;

import dev.panamax.detection.DetectionPlot;
import dev.panamax.detection.DetectorCheckpoint;
import dev.panamax.detection.DetectorEvaluation;
import dev.panamax.detection.Detections;
import dev.panamax.detection.ImageFiles;
import dev.panamax.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code panamax predict} for a detector's checkpoint: the objects found in one image (class,
 * score, box in the image's pixels), printed and drawn in red on the image. The detector was
 * trained on light items on black, as Fashion-MNIST shows them; the image is taken as it is.
 */
final class DetectionPrediction {
    private DetectionPrediction() {}

    static int run(Path checkpoint, Path imageFile, Args a, PrintStream out) throws Exception {
        double minScore = a.positiveDouble("min-score", DetectionPlot.Layout.DEFAULT.minScore());
        Path drawing = Path.of(a.string("out", defaultOutput(imageFile)));
        try (DetectorCheckpoint.Loaded detector = DetectorCheckpoint.load(checkpoint); Tensor image = ImageFiles.read(imageFile);
             Detections found = DetectorEvaluation.detect(detector.model(), List.of(image)).getFirst()) {
            List<String> classes = detector.spec().classes();
            float[] boxes = found.boxes().toFloatArray();
            long[] labels = found.labels().toLongArray();
            float[] scores = found.scores().toFloatArray();
            int shown = 0;
            while (shown < scores.length && scores[shown] >= minScore) {
                shown++; // best score first: the ones shown are a prefix
            }
            out.printf(Locale.ROOT, "%s (%s, epoch %d): %d object(s) with score >= %.2f%n", imageFile, DetectorCheckpoint.MODEL_NAME,
                    detector.epoch(), shown, minScore);
            for (int i = 0; i < shown; i++) {
                out.printf(Locale.ROOT, "  %-12s %.3f  [%.1f, %.1f, %.1f, %.1f]%n", classes.get((int) labels[i]), scores[i], boxes[4 * i],
                        boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
            }
            DetectionPlot.write(drawing, List.of(new DetectionPlot.Panel(image, null, found)), classes,
                    new DetectionPlot.Layout(1, 2, minScore));
            out.println("drawn: " + drawing);
        }
        return Main.OK;
    }

    /** IMAGE.png → IMAGE-detections.png, next to it. */
    private static String defaultOutput(Path image) {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return image.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "-detections.png").toString();
    }
}
