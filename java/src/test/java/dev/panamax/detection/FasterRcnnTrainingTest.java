package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.nn.Parameter;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.SGD;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The small ResNet-18 FPN end to end on two 64×64 images: losses, gradients, a few SGD steps, detection, bad inputs. */
class FasterRcnnTrainingTest {
    private static final int SIZE = 64;
    private static FasterRCNN model;
    private static List<Tensor> images;

    @BeforeAll
    static void build() {
        Generator gen = new Generator(3);
        model = FasterRCNN.resnet18Fpn(4, RoiMode.ALIGN, SIZE, gen);
        images = List.of(Tensor.rand(gen, 3, SIZE, SIZE), Tensor.rand(gen, 3, SIZE, SIZE));
    }

    @AfterAll
    static void free() {
        model.close();
        images.forEach(Tensor::close);
    }

    private static List<Target> targets() {
        return List.of(
                new Target(Tensor.of(new float[] {8, 8, 30, 36, 34, 20, 60, 44}, 2, 4), Tensor.of(new long[] {1, 3}, 2)),
                new Target(Tensor.of(new float[] {10, 30, 50, 60}, 1, 4), Tensor.of(new long[] {2}, 1)));
    }

    private static double total(Map<String, Tensor> losses) {
        return losses.values().stream().mapToDouble(Tensor::item).sum();
    }

    @Test
    void trainsAndDetects() {
        model.train();
        List<Target> targets = targets();
        List<Tensor> trainable = model.parameters().stream().filter(Tensor::requiresGrad).toList();
        try (Optimizer sgd = SGD.builder().lr(0.01).momentum(0.9).build(dev.panamax.optim.ParamGroup.of(trainable))) {
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 4; step++) {
                model.zeroGrad();
                Map<String, Tensor> losses = model.losses(images, targets);
                assertEquals(List.of("loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg"), List.copyOf(losses.keySet()));
                double value = total(losses);
                assertTrue(Double.isFinite(value), "losses " + losses);
                try (Tensor a = losses.get("loss_classifier").add(losses.get("loss_box_reg"));
                     Tensor b = a.add(losses.get("loss_objectness")); Tensor sum = b.add(losses.get("loss_rpn_box_reg"))) {
                    sum.backward();
                }
                losses.values().forEach(Tensor::close);
                if (step == 0) {
                    first = value;
                    for (Parameter p : model.namedParameters()) {
                        assertNotNull(p.tensor().grad(), p.name() + " has no gradient");
                    }
                }
                last = value;
                sgd.step();
            }
            assertTrue(last < first, "SGD lowers the loss on a fixed batch: " + first + " -> " + last);
        }
        targets.forEach(Target::close);

        model.eval();
        List<Detections> found = model.detect(images);
        assertEquals(2, found.size());
        for (Detections d : found) {
            for (float v : d.boxes().toFloatArray()) {
                assertTrue(v >= 0 && v <= SIZE, "box coordinate " + v + " outside the 64x64 image");
            }
            for (long label : d.labels().toLongArray()) {
                assertTrue(label >= 1 && label <= 3, "label " + label);
            }
            d.close();
        }
    }

    @Test
    void roiPoolModeTrainsTooAndAnImageMayHaveNoObjects() {
        try (FasterRCNN pooled = FasterRCNN.resnet18Fpn(4, RoiMode.POOL, SIZE, new Generator(4))) {
            pooled.train();
            List<Target> targets = List.of(
                    new Target(Tensor.of(new float[] {8, 8, 30, 36}, 1, 4), Tensor.of(new long[] {1}, 1)),
                    new Target(Tensor.zeros(0, 4), Tensor.zeros(DType.INT64, 0)));
            Map<String, Tensor> losses = pooled.losses(images, targets);
            assertTrue(Double.isFinite(total(losses)), "losses " + losses);
            try (Tensor sum = losses.get("loss_classifier").add(losses.get("loss_box_reg"))) {
                sum.backward();
            }
            assertNotNull(pooled.stateDict().get("roi_heads.box_head.fc6.weight").grad(), "the box head learns through roi_pool");
            losses.values().forEach(Tensor::close);
            targets.forEach(Target::close);
        }
    }

    @Test
    void badInputsAreNamed() {
        model.train();
        try (Target degenerate = new Target(Tensor.of(new float[] {1, 1, 20, 20, 30, 5, 30, 40}, 2, 4), Tensor.of(new long[] {1, 1}, 2));
             Target fine = new Target(Tensor.of(new float[] {1, 1, 20, 20}, 1, 4), Tensor.of(new long[] {1}, 1));
             Target badLabel = new Target(Tensor.of(new float[] {1, 1, 20, 20}, 1, 4), Tensor.of(new long[] {4}, 1));
             Tensor batched = Tensor.zeros(1, 3, 32, 32)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.losses(images, List.of(fine, degenerate)));
            assertEquals("All bounding boxes should have positive height and width. Found invalid box [30.0, 5.0, 30.0, 40.0]"
                    + " for target at index 1.", e.getMessage());
            IllegalArgumentException label = assertThrows(IllegalArgumentException.class, () -> model.losses(images, List.of(fine, badLabel)));
            assertEquals("target 1 box 0 has label 4, but labels must be 1 to 3 (0 is the background, the model has 4 classes)",
                    label.getMessage());
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> model.losses(images, List.of(fine)));
            assertEquals("FasterRCNN: 2 images but 1 targets", count.getMessage());
            IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> model.losses(List.of(batched), List.of(fine)));
            assertTrue(rank.getMessage().contains("[C, H, W], got [1, 3, 32, 32]"), rank.getMessage());
            assertThrows(IllegalStateException.class, () -> model.detect(images));
            model.eval();
            assertThrows(IllegalStateException.class, () -> model.losses(images, List.of(fine, fine)));
            assertThrows(UnsupportedOperationException.class, () -> model.forward(batched));
        }
    }
}
