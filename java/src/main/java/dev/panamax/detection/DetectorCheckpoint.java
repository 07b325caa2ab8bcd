package dev.panamax.detection;

import dev.panamax.tensor.Generator;
import dev.panamax.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a checkpoint of the small Faster R-CNN ({@link FasterRCNN#resnet18Fpn}) records so that it
 * can be rebuilt without the run that made it: the model name {@value #MODEL_NAME}, the class
 * names by label, the image size it was trained on and its ROI mode.
 */
public final class DetectorCheckpoint {
    /** The model name in the checkpoint, as torchvision names its detectors. */
    public static final String MODEL_NAME = "fasterrcnn_resnet18_fpn";
    private static final String CLASSES = "classes";
    private static final String IMAGE_SIZE = "image_size";
    private static final String ROI = "roi";

    private DetectorCheckpoint() {}

    /**
     * The detector's description.
     *
     * @param classes   names by label, the background's at 0 (as torchvision's {@code __background__})
     * @param imageSize the shorter side images are resized to
     */
    public record Spec(List<String> classes, int imageSize, RoiMode roi) {
        public Spec {
            classes = List.copyOf(classes);
            if (classes.size() < 2) {
                throw new IllegalArgumentException("DetectorCheckpoint.Spec: need the background and at least one class, got " + classes);
            }
        }

        /** A fresh model of this description. */
        public FasterRCNN build(Generator gen) {
            return FasterRCNN.resnet18Fpn(classes.size(), roi, imageSize, gen);
        }

        /** The checkpoint metadata that describes it. */
        public Map<String, String> metadata() {
            return Map.of(CLASSES, String.join("\n", classes), IMAGE_SIZE, Integer.toString(imageSize), ROI,
                    roi.name().toLowerCase(Locale.ROOT));
        }
    }

    /** A detector rebuilt from a checkpoint; closing it closes the model. */
    public record Loaded(FasterRCNN model, Spec spec, int epoch) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /** True when {@code file} holds this detector (and not, say, a classifier). */
    public static boolean isDetector(Path file) throws IOException {
        return MODEL_NAME.equals(Checkpoint.modelName(file));
    }

    /** The description a detector's checkpoint holds, read without its weights. */
    public static Spec spec(Path file) throws IOException {
        if (!isDetector(file)) {
            throw new IOException(file + " holds a " + Checkpoint.modelName(file) + ", not a " + MODEL_NAME);
        }
        Map<String, String> meta = Checkpoint.userMetadata(file);
        for (String key : List.of(CLASSES, IMAGE_SIZE, ROI)) {
            if (!meta.containsKey(key)) {
                throw new IOException(file + ": the detector's metadata has no '" + key + "'");
            }
        }
        return new Spec(List.of(meta.get(CLASSES).split("\n")), Integer.parseInt(meta.get(IMAGE_SIZE)),
                RoiMode.valueOf(meta.get(ROI).toUpperCase(Locale.ROOT)));
    }

    /** Rebuilds the detector and loads its weights. */
    public static Loaded load(Path file) throws IOException {
        Spec spec = spec(file);
        FasterRCNN model = spec.build(new Generator(0));
        try {
            int epoch = Checkpoint.load(file, model, null, null, null).epoch();
            model.eval();
            return new Loaded(model, spec, epoch);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
