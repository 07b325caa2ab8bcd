package dev.panamax.bench.worker;

/**
 * Faster R-CNN R50-FPN (torchvision's {@code fasterrcnn_resnet50_fpn}, 91 classes, weights from a fixed
 * seed) in evaluation mode: detections for one image [3, size, size] uniform in [0, 1). Whole-model
 * inference; no CPU peer runs it, so it is timed on Panamax alone, for a few repetitions.
 */
public record FasterRcnnWork(String id, int size) implements DetectionWorkload {
    public static final long WEIGHT_SEED = 93;

    @Override
    public String title() {
        return "Faster R-CNN R50-FPN detect 1 image 3x" + size + "x" + size;
    }

    @Override
    public int maxRepetitions() {
        return 5;
    }

    public float[] image() {
        return Inputs.uniform(94, 3 * size * size, 0, 1);
    }
}
