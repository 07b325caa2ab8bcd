package dev.panamax.train;

import dev.panamax.autograd.GradMode;
import dev.panamax.data.Batch;
import dev.panamax.data.DataLoader;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.function.BiFunction;

/** Loss, accuracy and top-k accuracy of a classifier over a data set. */
public final class Metrics {
    /** Averages over all examples. */
    public record Result(double loss, double accuracy, double topK, long examples) {}

    private Metrics() {}

    /** Correct first guesses and correct guesses among the k best, for logits [B, C] and labels [B]. */
    static long[] correct(Tensor logits, Tensor labels, int k) {
        try (Scope s = Scope.open()) {
            long[] truth = labels.toLongArray();
            long top1 = 0;
            long topK = 0;
            int classes = (int) logits.size(1);
            int kk = Math.min(k, classes);
            float[] v = logits.toFloatArray();
            for (int i = 0; i < truth.length; i++) {
                float target = v[i * classes + (int) truth[i]];
                int above = 0;
                for (int c = 0; c < classes; c++) {
                    float x = v[i * classes + c];
                    if (x > target || (x == target && c < truth[i])) {
                        above++;
                    }
                }
                top1 += above == 0 ? 1 : 0;
                topK += above < kk ? 1 : 0;
            }
            return new long[] {top1, topK};
        }
    }

    /** Evaluates {@code model} (switched to eval mode and back) without recording a graph, on the model's device. */
    public static Result evaluate(Module model, DataLoader loader, BiFunction<Tensor, Tensor, Tensor> lossFn, int k) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long n = 0;
        long top1 = 0;
        long topK = 0;
        Device device = model.device();
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            for (Batch batch : loader) {
                try (batch; Scope s = Scope.open()) {
                    Tensor inputs = batch.inputs().to(device);
                    Tensor labels = batch.labels().to(device);
                    Tensor logits = model.forward(inputs);
                    lossSum += lossFn.apply(logits, labels).item() * batch.size();
                    long[] c = correct(logits, labels, k);
                    top1 += c[0];
                    topK += c[1];
                    n += batch.size();
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new Result(lossSum / Math.max(1, n), (double) top1 / Math.max(1, n), (double) topK / Math.max(1, n), n);
    }
}
