/**
 * Object detection with torchvision's semantics: box coding, anchors, the region proposal
 * network, ROI heads and Faster R-CNN, detection data sets and COCO/VOC evaluation. Ops that are
 * plain tensor ops (box IoU, NMS, ROI pooling) live in {@code dev.panamax.ops}.
 */
package dev.panamax.detection;
