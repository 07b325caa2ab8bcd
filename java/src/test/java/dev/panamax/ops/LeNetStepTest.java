package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefLeNet;
import org.junit.jupiter.api.Test;

/**
 * The LeNet-5 training step of the benchmark, composed from the functional ops: its loss and
 * every weight gradient match a hand-written double-precision forward and backward.
 */
class LeNetStepTest {
    private static final long[][] SHAPES = {
        {6, 1, 5, 5}, {6}, {16, 6, 5, 5}, {16}, {120, 400}, {120}, {84, 120}, {84}, {10, 84}, {10}};

    static Tensor forwardLoss(Tensor x, Tensor labels, Tensor[] w) {
        Tensor h = Convolution.conv2d(x, w[0], w[1], ConvOptions.DEFAULT.padding(2)).relu();
        h = Pooling.maxPool2d(h, 2);
        h = Convolution.conv2d(h, w[2], w[3], ConvOptions.DEFAULT).relu();
        h = Pooling.maxPool2d(h, 2).flatten(1, -1);
        h = LinearAlgebra.linear(h, w[4], w[5]).relu();
        h = LinearAlgebra.linear(h, w[6], w[7]).relu();
        Tensor logits = LinearAlgebra.linear(h, w[8], w[9]);
        return Loss.crossEntropy(logits, labels);
    }

    @Test
    void lossAndEveryWeightGradientMatchTheReference() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope s = Scope.open()) {
                Generator g = new Generator(5);
                int n = 4;
                Tensor x = Tensor.rand(g, n, 1, 28, 28).to(dtype);
                Tensor labels = Tensor.randint(g, 0, 10, n);
                Tensor[] w = new Tensor[SHAPES.length];
                double[][] wd = new double[SHAPES.length][];
                for (int i = 0; i < w.length; i++) {
                    double fanIn = SHAPES[i].length > 1 ? Tensor.zeros(SHAPES[i]).numel() / SHAPES[i][0] : 25;
                    w[i] = Tensor.randn(g, SHAPES[i]).mul(1 / Math.sqrt(fanIn)).to(dtype).requiresGrad(true);
                    wd[i] = w[i].toDoubleArray();
                }
                Tensor loss = forwardLoss(x, labels, w);
                loss.backward();
                RefLeNet.Result ref = RefLeNet.step(x.toDoubleArray(), labels.toLongArray(), n, wd);
                boolean f32 = dtype == DType.FLOAT32;
                assertEquals(ref.loss(), loss.item(), f32 ? 1e-5 : 1e-12, "loss (" + dtype.pyName() + ")");
                for (int i = 0; i < w.length; i++) {
                    OpCheck.assertClose("gradient of weight " + i + " (" + dtype.pyName() + ")", new Ref(ref.grads()[i], SHAPES[i]),
                            Ref.of(w[i].grad()), f32 ? 1e-5 : 1e-12, f32 ? 1e-3 : 1e-9);
                }
            }
        }
    }
}
