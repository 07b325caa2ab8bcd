package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.UnaryOp;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/** Activation functions and softmax. Each is one fused kernel forward and one backward. */
public final class Activation {
    private Activation() {}

    public static Tensor sigmoid(Tensor x) {
        return Pointwise.unary("sigmoid", UnaryOp.SIGMOID, x, 0, 0);
    }

    public static Tensor tanh(Tensor x) {
        return Pointwise.unary("tanh", UnaryOp.TANH, x, 0, 0);
    }

    public static Tensor relu(Tensor x) {
        return Pointwise.unary("relu", UnaryOp.RELU, x, 0, 0);
    }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        return Pointwise.unary("leakyRelu", UnaryOp.LEAKY_RELU, x, negativeSlope, 0);
    }

    public static Tensor elu(Tensor x, double alpha) {
        return Pointwise.unary("elu", UnaryOp.ELU, x, alpha, 0);
    }

    public static Tensor selu(Tensor x) {
        return Pointwise.unary("selu", UnaryOp.SELU, x, 0, 0);
    }

    /** Exact GELU (x·Φ(x)), or its tanh approximation. */
    public static Tensor gelu(Tensor x, boolean tanhApproximation) {
        return Pointwise.unary("gelu", tanhApproximation ? UnaryOp.GELU_TANH : UnaryOp.GELU, x, 0, 0);
    }

    /** (1/beta)·log(1 + exp(beta·x)), linear above {@code threshold} (PyTorch defaults: 1, 20). */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("softplus: beta must be positive, got " + beta);
        }
        return Pointwise.unary("softplus", UnaryOp.SOFTPLUS, x, beta, threshold);
    }

    public static Tensor silu(Tensor x) {
        return Pointwise.unary("silu", UnaryOp.SILU, x, 0, 0);
    }

    public static Tensor hardtanh(Tensor x, double min, double max) {
        if (!(min < max)) {
            throw new IllegalArgumentException("hardtanh: need min < max, got min=" + min + " max=" + max);
        }
        return Pointwise.unary("hardtanh", UnaryOp.HARDTANH, x, min, max);
    }

    /**
     * Heaviside step. Its derivative is zero almost everywhere, so its gradient is zero: use it
     * for perceptron-style thresholds, not in a network trained by backpropagation.
     */
    public static Tensor step(Tensor x, double valueAtZero) {
        return Pointwise.unary("step", UnaryOp.STEP, x, valueAtZero, 0);
    }

    public static Tensor softmax(Tensor x, int dim) {
        return softmax("softmax", x, dim, false);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return softmax("logSoftmax", x, dim, true);
    }

    private static Tensor softmax(String name, Tensor x, int dim, boolean log) {
        OpSupport.requireFloatingPoint(name, "input", x);
        int d = Shape.normalizeDim(dim, x.rank(), name);
        Backend be = OpSupport.backend(name, x);
        if (x.rank() == 0) {
            try (Tensor flat = x.reshape(1); Tensor y = softmax(name, flat, 0, log)) {
                return y.reshape();
            }
        }
        Tensor out = OpSupport.empty(x, x.shape(), x.dtype());
        be.softmax(x.operand(), d, log, out.operand());
        String backwardName = log ? "LogSoftmaxBackward" : "SoftmaxBackward";
        return Autograd.record(backwardName, out, (g, needs) -> {
            OpSupport.noHigherOrder(backwardName);
            Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
            be.softmaxBackward(out.operand(), g.operand(), d, log, gx.operand());
            return new Tensor[] {gx};
        }, x);
    }
}
