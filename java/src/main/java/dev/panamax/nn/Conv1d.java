package dev.panamax.nn;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * 1-D convolution layer over [N, C, L] (or [C, L]): weight [out, in/groups, kernel], optional
 * bias, PyTorch's default initialisation. The options' width entries apply ({@code stride(s)},
 * {@code padding(p)} set them).
 */
public final class Conv1d extends Module {
    private final long inChannels;
    private final long outChannels;
    private final int kernel;
    private final ConvOptions options;
    private final Tensor weight;
    private final Tensor bias;

    /** Stride 1, no padding, with bias. */
    public Conv1d(long inChannels, long outChannels, int kernel) {
        this(inChannels, outChannels, kernel, ConvOptions.DEFAULT, true, Generator.global());
    }

    public Conv1d(long inChannels, long outChannels, int kernel, ConvOptions options, boolean bias, Generator gen) {
        LayerChecks.convolution("Conv1d", inChannels, outChannels, options.groups(), kernel);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.options = options;
        this.weight = registerParameter("weight", Tensor.empty(DType.FLOAT32, outChannels, inChannels / options.groups(), kernel));
        this.bias = bias ? registerParameter("bias", Tensor.empty(DType.FLOAT32, outChannels)) : null;
        Init.pytorchDefault(weight, this.bias, gen);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public ConvOptions options() {
        return options;
    }

    public int kernel() {
        return kernel;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv1d(x, weight, bias, options);
    }

    @Override
    protected String extraRepr() {
        ConvOptions o = options;
        return Repr.conv(inChannels, outChannels, new long[] {kernel}, new long[] {o.strideW()}, new long[] {o.padW()}, o.padMode(),
                new long[] {o.dilationW()}, new long[] {0}, o.groups(), bias != null);
    }
}
