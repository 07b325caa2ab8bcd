/**
 * Object detection with torchvision's semantics: box coding, anchors, the region proposal
 * network, ROI heads and Faster R-CNN, detection data sets and COCO/VOC evaluation. Ops that are
 * plain tensor ops (box IoU, NMS, ROI pooling) live in {@code dev.panamax.ops}.
 *
 * <p>{@link dev.panamax.detection.FasterRCNN} follows torchvision 0.2x's
 * {@code fasterrcnn_resnet50_fpn}: the same defaults, state-dict names ({@code backbone.body.*},
 * {@code backbone.fpn.*}, {@code rpn.head.*}, {@code roi_heads.box_head.*},
 * {@code roi_heads.box_predictor.*}) and parameter count (41,808,406 with 91 classes), so its
 * weights load. Where this package differs: the image resize runs on the host (images are
 * inputs, never differentiated); training uses one minimum size, not a random choice among
 * several; targets' labels must lie in 1..numClasses-1 (torchvision does not check); and the
 * random draws of the samplers come from a seeded {@link dev.panamax.tensor.Generator}.
 *
 * <p>To train one ({@code panamax demo detect} does): {@link dev.panamax.detection.DetectionLoader}
 * batches a data set as lists, {@link dev.panamax.detection.DetectionTrainer} runs torchvision's
 * reference loop with {@code dev.panamax.train}'s progress bar, curves and checkpoints,
 * {@link dev.panamax.detection.DetectorEvaluation} scores a detector with pycocotools' numbers, and
 * {@link dev.panamax.detection.DetectorCheckpoint} rebuilds the small detector from its checkpoint.
 */
package dev.panamax.detection;
