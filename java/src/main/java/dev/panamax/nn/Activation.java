package dev.panamax.nn;

import dev.panamax.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * Parameter-free elementwise layers: {@code Activation.relu()} is PyTorch's {@code nn.ReLU()},
 * and so on. Each prints under PyTorch's class name.
 */
public final class Activation extends Module {
    private final String name;
    private final String settings;
    private final UnaryOperator<Tensor> fn;

    private Activation(String name, String settings, UnaryOperator<Tensor> fn) {
        this.name = name;
        this.settings = settings;
        this.fn = fn;
    }

    public static Activation relu() {
        return new Activation("ReLU", "", Tensor::relu);
    }

    public static Activation leakyRelu(double negativeSlope) {
        return new Activation("LeakyReLU", "negative_slope=" + negativeSlope, x -> x.leakyRelu(negativeSlope));
    }

    public static Activation elu(double alpha) {
        return new Activation("ELU", "alpha=" + alpha, x -> x.elu(alpha));
    }

    public static Activation selu() {
        return new Activation("SELU", "", Tensor::selu);
    }

    public static Activation gelu(boolean tanhApproximation) {
        return new Activation("GELU", tanhApproximation ? "approximate='tanh'" : "approximate='none'", x -> x.gelu(tanhApproximation));
    }

    public static Activation sigmoid() {
        return new Activation("Sigmoid", "", Tensor::sigmoid);
    }

    public static Activation tanh() {
        return new Activation("Tanh", "", Tensor::tanh);
    }

    public static Activation silu() {
        return new Activation("SiLU", "", Tensor::silu);
    }

    public static Activation softplus(double beta, double threshold) {
        return new Activation("Softplus", "beta=" + beta + ", threshold=" + threshold, x -> x.softplus(beta, threshold));
    }

    public static Activation hardtanh(double min, double max) {
        return new Activation("Hardtanh", "min_val=" + min + ", max_val=" + max, x -> x.hardtanh(min, max));
    }

    public static Activation softmax(int dim) {
        return new Activation("Softmax", "dim=" + dim, x -> x.softmax(dim));
    }

    public static Activation logSoftmax(int dim) {
        return new Activation("LogSoftmax", "dim=" + dim, x -> x.logSoftmax(dim));
    }

    /** Heaviside step; its gradient is zero (perceptron thresholds, not backpropagation). */
    public static Activation step() {
        return new Activation("Step", "", x -> x.step(0));
    }

    /** The identity, PyTorch's {@code nn.Identity()}. */
    public static Activation identity() {
        return new Activation("Identity", "", Tensor::alias);
    }

    @Override
    public Tensor forward(Tensor x) {
        return fn.apply(x);
    }

    @Override
    public String toString() {
        return name + "(" + settings + ")";
    }
}
