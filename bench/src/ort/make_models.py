"""Writes the one-node ONNX models the ONNX Runtime peer of the comparison runner times (bench/README.md).

Run from the repository root with the `onnx` package installed:
    python3 bench/src/ort/make_models.py
The models are committed; rerun this only to change them. Attributes must match the workloads in
dev.panamax.bench.worker (NmsWork, RoiAlignWork): OrtPeer checks them.
"""
from pathlib import Path

import onnx
from onnx import TensorProto, helper

OUT = Path(__file__).parent / "resources" / "dev" / "panamax" / "bench" / "ort"
OPSET = 16  # RoiAlign's coordinate_transformation_mode needs 16


def save(name, node, inputs, outputs):
    graph = helper.make_graph([node], name, inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="panamax-bench")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, OUT / f"{name}.onnx")


# NonMaxSuppression over one batch and one class: boxes as corners (center_point_box 0), every box may be
# kept (max_output_boxes_per_class is an input, set to N), no score threshold: torchvision's nms.
save("nms",
     helper.make_node("NonMaxSuppression", ["boxes", "scores", "max_output_boxes_per_class", "iou_threshold"],
                      ["selected_indices"], center_point_box=0),
     [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, "N", 4]),
      helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 1, "N"]),
      helper.make_tensor_value_info("max_output_boxes_per_class", TensorProto.INT64, [1]),
      helper.make_tensor_value_info("iou_threshold", TensorProto.FLOAT, [1])],
     [helper.make_tensor_value_info("selected_indices", TensorProto.INT64, ["K", 3])])

# RoiAlign, average of 2x2 samples per bin into 7x7, boxes in image pixels on a stride-16 map, half-pixel
# offset: torchvision's roi_align(aligned=True).
save("roi_align",
     helper.make_node("RoiAlign", ["X", "rois", "batch_indices"], ["Y"], mode="avg", output_height=7, output_width=7,
                      sampling_ratio=2, spatial_scale=1.0 / 16, coordinate_transformation_mode="half_pixel"),
     [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", "C", "H", "W"]),
      helper.make_tensor_value_info("rois", TensorProto.FLOAT, ["K", 4]),
      helper.make_tensor_value_info("batch_indices", TensorProto.INT64, ["K"])],
     [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["K", "C", 7, 7])])
