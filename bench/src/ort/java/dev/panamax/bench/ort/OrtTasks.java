package dev.panamax.bench.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.panamax.bench.worker.NmsWork;
import dev.panamax.bench.worker.RoiAlignWork;
import dev.panamax.bench.worker.Task;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The workloads as ONNX Runtime sessions: inputs made once as OnnxTensors, each run frees its outputs. */
final class OrtTasks {
    private OrtTasks() {}

    /** A session run on fixed inputs; {@code read} turns its outputs into the arrays compared with Panamax's. */
    private interface Reader {
        List<float[]> read(OrtSession.Result result) throws OrtException;
    }

    private static Task task(OrtSession session, Map<String, OnnxTensor> inputs, Reader read) {
        return new Task() {
            @Override
            public void run() {
                try (OrtSession.Result ignored = session.run(inputs)) {
                    // outputs freed at once, as the other peers free theirs
                } catch (OrtException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public List<float[]> runAndRead() {
                try (OrtSession.Result result = session.run(inputs)) {
                    return read.read(result);
                } catch (OrtException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void close() {
                inputs.values().forEach(OnnxTensor::close);
                try {
                    session.close();
                } catch (OrtException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    /**
     * NonMaxSuppression of one batch and class with max_output_boxes_per_class = n (every box may be kept) and
     * no score threshold: torchvision's nms. Compared: the kept box indices, column 2 of selected_indices.
     */
    static Task nms(OrtEnvironment env, OrtSession session, NmsWork w) throws OrtException {
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        inputs.put("boxes", OnnxTensor.createTensor(env, FloatBuffer.wrap(w.boxes()), new long[] {1, w.n(), 4}));
        inputs.put("scores", OnnxTensor.createTensor(env, FloatBuffer.wrap(w.scores()), new long[] {1, 1, w.n()}));
        inputs.put("max_output_boxes_per_class", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {w.n()}), new long[] {1}));
        inputs.put("iou_threshold", OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {w.iouThreshold()}), new long[] {1}));
        return task(session, inputs, result -> {
            long[][] selected = (long[][]) result.get(0).getValue();
            float[] kept = new float[selected.length];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = selected[i][2];
            }
            return List.of(kept);
        });
    }

    /** RoiAlign (avg, half_pixel) of boxes on image 0. Compared: the output. */
    static Task roiAlign(OrtEnvironment env, OrtSession session, RoiAlignWork w) throws OrtException {
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        inputs.put("X", OnnxTensor.createTensor(env, FloatBuffer.wrap(w.input()), new long[] {1, w.c(), w.h(), w.w()}));
        inputs.put("rois", OnnxTensor.createTensor(env, FloatBuffer.wrap(w.rois()), new long[] {w.boxes(), 4}));
        inputs.put("batch_indices", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[w.boxes()]), new long[] {w.boxes()}));
        return task(session, inputs, result -> {
            FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[y.remaining()];
            y.get(out);
            return List.of(out);
        });
    }
}
