package dev.panamax.bench.worker;

import java.util.List;

/**
 * One training step of LeNet-5 on a batch of 1x28x28 images: conv 1→6 k5 p2, relu, maxpool 2, conv 6→16
 * k5, relu, maxpool 2, linear 400→120→84→10 (relu between), cross-entropy (mean), backward, and a plain SGD
 * update {@code p -= lr * grad} written out per parameter. Every peer starts from the same weights (PyTorch's
 * default initialisation, fixed seeds); the loss and the gradients of the first step are compared.
 */
public record LeNetStepWork(String id, int batch) implements Workload {
    public static final double LEARNING_RATE = 0.01;

    /** A parameter in the order every peer keeps them. */
    public record Parameter(String name, long[] shape, int fanIn) {
        public int size() {
            return Inputs.product(shape);
        }
    }

    public static final List<Parameter> PARAMETERS = List.of(
            new Parameter("conv1.weight", new long[] {6, 1, 5, 5}, 25),
            new Parameter("conv1.bias", new long[] {6}, 25),
            new Parameter("conv2.weight", new long[] {16, 6, 5, 5}, 150),
            new Parameter("conv2.bias", new long[] {16}, 150),
            new Parameter("fc1.weight", new long[] {120, 400}, 400),
            new Parameter("fc1.bias", new long[] {120}, 400),
            new Parameter("fc2.weight", new long[] {84, 120}, 120),
            new Parameter("fc2.bias", new long[] {84}, 120),
            new Parameter("fc3.weight", new long[] {10, 84}, 84),
            new Parameter("fc3.bias", new long[] {10}, 84));

    @Override
    public String title() {
        return "LeNet-5 training step, batch " + batch;
    }

    @Override
    public String family() {
        return "train";
    }

    @Override
    public double flops() {
        return 0;
    }

    /** Images [batch, 1, 28, 28] uniform in [0, 1). */
    public float[] images() {
        return Inputs.uniform(41, batch * 28 * 28, 0, 1);
    }

    public long[] labels() {
        return Inputs.classes(42, batch, 10);
    }

    public float[] initialValue(int parameter) {
        Parameter p = PARAMETERS.get(parameter);
        return Inputs.layerDefault(50 + parameter, p.size(), p.fanIn());
    }
}
