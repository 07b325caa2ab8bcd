package dev.panamax.bench.compare;

import dev.panamax.bench.worker.FasterRcnnWork;
import dev.panamax.bench.worker.NmsWork;
import dev.panamax.bench.worker.RoiAlignWork;
import dev.panamax.detection.Detections;
import dev.panamax.detection.FasterRCNN;
import dev.panamax.ops.BoxOps;
import dev.panamax.ops.RoiOps;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.List;

/** The detection workloads on Panamax: {@code BoxOps.nms}, {@code RoiOps.roiAlign} and {@code FasterRCNN.detect}. */
final class PanamaxDetTasks {
    private PanamaxDetTasks() {}

    static PanamaxTask nms(NmsWork w) {
        return new PanamaxTask() {
            private final Tensor boxes = input(w.boxes(), w.n(), 4);
            private final Tensor scores = input(w.scores(), w.n());

            @Override
            protected List<Tensor> compute() {
                return List.of(BoxOps.nms(boxes, scores, w.iouThreshold()).to(DType.FLOAT32));
            }
        };
    }

    static PanamaxTask roiAlign(RoiAlignWork w) {
        return new PanamaxTask() {
            private final Tensor x = input(w.input(), 1, w.c(), w.h(), w.w()).requiresGrad(w.backward());
            private final Tensor boxes = own(withBatchIndex(w.rois(), w.boxes()));

            @Override
            protected List<Tensor> compute() {
                if (!w.backward()) {
                    return List.of(align());
                }
                x.zeroGrad();
                Tensor y = align();
                y.backward(Tensor.onesLike(y));
                return List.of(y, x.grad());
            }

            private Tensor align() {
                return RoiOps.roiAlign(x, boxes, w.output(), w.output(), RoiAlignWork.SPATIAL_SCALE, w.samplingRatio(), true);
            }
        };
    }

    static PanamaxTask fasterRcnn(FasterRcnnWork w) {
        return new PanamaxTask() {
            private final FasterRCNN model = FasterRCNN.resnet50Fpn(91, false, new Generator(FasterRcnnWork.WEIGHT_SEED));
            private final Tensor image = input(w.image(), 3, w.size(), w.size());

            {
                model.eval();
            }

            @Override
            protected List<Tensor> compute() {
                Detections d = model.detect(List.of(image)).get(0);
                return List.of(d.boxes(), d.scores(), d.labels().to(DType.FLOAT32));
            }

            @Override
            public void close() {
                super.close();
                model.close();
            }
        };
    }

    /** Panamax's boxes [K, 5]: image 0, then the corners. */
    private static Tensor withBatchIndex(float[] rois, int k) {
        float[] boxes = new float[5 * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(rois, 4 * i, boxes, 5 * i + 1, 4);
        }
        return Tensor.of(boxes, k, 5);
    }
}
