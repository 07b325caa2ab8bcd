package dev.panamax.detection;

import dev.panamax.tensor.Device;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;

/** Runs a detector over a data set in evaluation mode and scores it as pycocotools would. */
public final class DetectorEvaluation {
    private DetectorEvaluation() {}

    /** COCO's twelve numbers for {@code model} on every image of {@code loader}; the model's mode is restored after. */
    public static CocoStats coco(FasterRCNN model, DetectionLoader loader) {
        boolean training = model.isTraining();
        model.eval();
        CocoEvaluator evaluator = new CocoEvaluator();
        try (DetectionLoader.Epoch batches = loader.epoch(0)) {
            while (batches.hasNext()) {
                try (DetectionBatch batch = batches.next()) {
                    List<Detections> found = detect(model, batch.images());
                    for (int i = 0; i < batch.size(); i++) {
                        DetectionSample s = batch.samples().get(i);
                        try (Detections d = found.get(i)) {
                            evaluator.add(s.imageId(), s.objects(), d);
                        }
                    }
                }
            }
        } finally {
            if (training) {
                model.train();
            }
        }
        return evaluator.summarize();
    }

    /** The model's detections for host images, which go to its device and come back; the caller closes them. */
    public static List<Detections> detect(FasterRCNN model, List<Tensor> images) {
        Device device = model.device();
        if (device.equals(Device.CPU)) {
            return model.detect(images);
        }
        try (Scope ignored = Scope.open()) { // frees the device copies
            List<Detections> found = model.detect(images.stream().map(image -> image.to(device)).toList());
            return found.stream().map(d -> new Detections(d.boxes().to(Device.CPU).unscoped(), d.labels().to(Device.CPU).unscoped(),
                    d.scores().to(Device.CPU).unscoped())).toList();
        }
    }
}
