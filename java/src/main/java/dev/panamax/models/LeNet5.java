package dev.panamax.models;

import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Linear;
import dev.panamax.nn.MaxPool2d;
import dev.panamax.nn.Module;
import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * LeNet-5 (LeCun et al., "Gradient-based learning applied to document recognition", 1998) in its
 * modern form: ReLU and max pooling instead of scaled tanh and subsampling, and a 5×5 first
 * convolution padded by 2 so that 28×28 MNIST-style images keep the paper's 32×32 geometry:
 * conv 1→6 k5 p2, ReLU, max pool 2, conv 6→16 k5, ReLU, max pool 2, flatten, linear 400→120→84→classes
 * (ReLU between). Layer names follow PyTorch's tutorial LeNet: {@code conv1, conv2, fc1, fc2, fc3};
 * 61,706 parameters for 10 classes.
 */
public final class LeNet5 extends Module {
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final MaxPool2d pool;
    private final Linear fc1;
    private final Linear fc2;
    private final Linear fc3;

    /** 10 classes, one channel, 28×28 inputs. */
    public LeNet5() {
        this(10, 1, 28, Generator.global());
    }

    /**
     * @param inputSize the side of the square input images (28 for MNIST; the first linear layer's
     *                  width follows from it)
     */
    public LeNet5(int numClasses, int inChannels, int inputSize, Generator gen) {
        if (inputSize < 12) {
            throw new IllegalArgumentException("LeNet5: inputs must be at least 12x12, got " + inputSize);
        }
        long side = (inputSize / 2 - 4) / 2;
        conv1 = registerModule("conv1", new Conv2d(inChannels, 6, 5, 5, ConvOptions.DEFAULT.padding(2), true, gen));
        pool = registerModule("pool", new MaxPool2d(2));
        conv2 = registerModule("conv2", new Conv2d(6, 16, 5, 5, ConvOptions.DEFAULT, true, gen));
        fc1 = registerModule("fc1", new Linear(16 * side * side, 120, true, gen));
        fc2 = registerModule("fc2", new Linear(120, 84, true, gen));
        fc3 = registerModule("fc3", new Linear(84, numClasses, true, gen));
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor c1 = conv1.forward(x); Tensor r1 = c1.relu(); Tensor p1 = pool.forward(r1);
             Tensor c2 = conv2.forward(p1); Tensor r2 = c2.relu(); Tensor p2 = pool.forward(r2); Tensor flat = p2.flatten(1, -1);
             Tensor h1 = fc1.forward(flat); Tensor a1 = h1.relu(); Tensor h2 = fc2.forward(a1); Tensor a2 = h2.relu()) {
            return fc3.forward(a2);
        }
    }

    @Override
    protected List<Module> receptivePath() {
        return List.of(conv1, pool, conv2, pool);
    }
}
