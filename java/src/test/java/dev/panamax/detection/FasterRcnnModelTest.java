package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.nn.Init;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Faster R-CNN's structure against torchvision 0.2x's fasterrcnn_resnet50_fpn (parameter count, state-dict names and shapes). */
class FasterRcnnModelTest {
    private static FasterRCNN allocated(boolean pretrainedBackbone) {
        try (Init.Skip ignored = Init.skipped()) {
            return FasterRCNN.resnet50Fpn(91, pretrainedBackbone, new Generator(1));
        }
    }

    @Test
    void resnet50FpnHasTorchvisionsParameterCount() {
        // sum(p.numel() for p in fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None).parameters())
        try (FasterRCNN model = allocated(false)) {
            assertEquals(41_808_406L, model.parameterCount());
            assertTrue(model.parameters().stream().allMatch(Tensor::requiresGrad), "all five backbone stages train");
        }
        // with FrozenBatchNorm2d the 53,120 batch-norm weights and biases are buffers
        try (FasterRCNN model = allocated(true)) {
            assertEquals(41_755_286L, model.parameterCount());
            long trainable = model.parameters().stream().filter(Tensor::requiresGrad).count();
            assertTrue(trainable < model.parameters().size(), "conv1 and layer1 are frozen");
        }
    }

    @Test
    void stateDictKeysAndShapesAreTorchvisions() {
        try (FasterRCNN model = allocated(false)) {
            Map<String, Tensor> state = model.stateDict();
            Map<String, long[]> expected = Map.of(
                    "backbone.body.conv1.weight", new long[] {64, 3, 7, 7},
                    "backbone.body.layer1.0.conv1.weight", new long[] {64, 64, 1, 1},
                    "backbone.body.layer4.2.bn3.running_var", new long[] {2048},
                    "backbone.fpn.inner_blocks.0.0.weight", new long[] {256, 256, 1, 1},
                    "backbone.fpn.layer_blocks.3.0.bias", new long[] {256},
                    "rpn.head.conv.0.0.weight", new long[] {256, 256, 3, 3},
                    "rpn.head.cls_logits.weight", new long[] {3, 256, 1, 1},
                    "rpn.head.bbox_pred.weight", new long[] {12, 256, 1, 1},
                    "roi_heads.box_head.fc6.weight", new long[] {1024, 12544},
                    "roi_heads.box_predictor.cls_score.weight", new long[] {91, 1024});
            expected.forEach((key, shape) -> assertArrayEquals(shape, state.get(key).shape().toArray(), key));
            assertArrayEquals(new long[] {364, 1024}, state.get("roi_heads.box_predictor.bbox_pred.weight").shape().toArray());
            assertFalse(state.keySet().stream().anyMatch(k -> k.startsWith("backbone.body.fc") || k.startsWith("backbone.body.avgpool")));
        }
        try (FasterRCNN frozen = allocated(true)) {
            Map<String, Tensor> state = frozen.stateDict();
            assertTrue(state.containsKey("backbone.body.bn1.weight") && state.containsKey("backbone.body.bn1.running_mean"));
            assertFalse(state.containsKey("backbone.body.bn1.num_batches_tracked"), "FrozenBatchNorm2d has no batch counter");
        }
    }
}
