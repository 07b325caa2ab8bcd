package dev.panamax.detection;

import dev.panamax.data.io.Json;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builders for evaluator inputs, and the fixture {@code make_eval_fixture.py} wrote with pycocotools. */
final class EvalCases {
    private EvalCases() {}

    /** Detections from rows (x1, y1, x2, y2, label, score). */
    static Detections detections(double[]... rows) {
        float[] boxes = new float[rows.length * 4];
        long[] labels = new long[rows.length];
        float[] scores = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < 4; k++) {
                boxes[4 * i + k] = (float) rows[i][k];
            }
            labels[i] = (long) rows[i][4];
            scores[i] = (float) rows[i][5];
        }
        return new Detections(Tensor.of(boxes, rows.length, 4), Tensor.of(labels, rows.length), Tensor.of(scores, rows.length));
    }

    static Detections none() {
        return detections();
    }

    /** One ground-truth image with its detections, as the fixture holds it. */
    record Image(long id, List<GroundTruthBox> truth, double[][] detections) {}

    /** An evaluator's {@code add}. */
    interface Evaluator {
        void add(long imageId, List<GroundTruthBox> truth, Detections detections);
    }

    /** The fixture: the images, pycocotools' 12 stats and the devkit's VOC AP per class. */
    record Fixture(List<Image> images, double[] cocoStats, Map<Integer, Double> vocAp) {
        /** Adds every image to an evaluator. */
        void addTo(Evaluator eval) {
            for (Image im : images) {
                try (Detections d = detections(im.detections())) {
                    eval.add(im.id(), im.truth(), d);
                }
            }
        }
    }

    static Fixture fixture() throws IOException {
        Path file;
        try {
            file = Path.of(EvalCases.class.getResource("/dev/panamax/detection/eval_fixture.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Map<?, ?> root = (Map<?, ?>) Json.read(file);
        List<Image> images = new ArrayList<>();
        for (Object o : (List<?>) root.get("images")) {
            Map<?, ?> im = (Map<?, ?>) o;
            List<GroundTruthBox> truth = new ArrayList<>();
            for (Object row : (List<?>) im.get("truth")) {
                double[] g = numbers(row);
                truth.add(new GroundTruthBox(g[0], g[1], g[2], g[3], (int) g[4], g[5], g[6] != 0, g[7] != 0));
            }
            List<double[]> dets = new ArrayList<>();
            for (Object row : (List<?>) im.get("detections")) {
                dets.add(numbers(row));
            }
            images.add(new Image(((Number) im.get("id")).longValue(), truth, dets.toArray(double[][]::new)));
        }
        Map<Integer, Double> voc = new java.util.TreeMap<>();
        ((Map<?, ?>) root.get("voc_ap")).forEach((k, v) -> voc.put(Integer.parseInt((String) k), ((Number) v).doubleValue()));
        return new Fixture(images, numbers(root.get("coco_stats")), voc);
    }

    private static double[] numbers(Object list) {
        return ((List<?>) list).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }
}
