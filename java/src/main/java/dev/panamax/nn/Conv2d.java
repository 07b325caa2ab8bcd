package dev.panamax.nn;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** 2-D convolution layer: weight [out, in/groups, kH, kW], optional bias, PyTorch's default initialisation. */
public final class Conv2d extends Module {
    private final long inChannels;
    private final long outChannels;
    private final int kernelH;
    private final int kernelW;
    private final ConvOptions options;
    private final Tensor weight;
    private final Tensor bias;

    /** Square kernel, stride 1, no padding, with bias. */
    public Conv2d(long inChannels, long outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, ConvOptions.DEFAULT, true, Generator.global());
    }

    public Conv2d(long inChannels, long outChannels, int kernel, ConvOptions options) {
        this(inChannels, outChannels, kernel, kernel, options, true, Generator.global());
    }

    public Conv2d(long inChannels, long outChannels, int kernelH, int kernelW, ConvOptions options, boolean bias, Generator gen) {
        LayerChecks.convolution("Conv2d", inChannels, outChannels, options.groups(), kernelH, kernelW);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.options = options;
        this.weight = registerParameter("weight", Tensor.empty(DType.FLOAT32, outChannels, inChannels / options.groups(), kernelH, kernelW));
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

    public int kernelH() {
        return kernelH;
    }

    public int kernelW() {
        return kernelW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2d(x, weight, bias, options);
    }

    @Override
    protected String extraRepr() {
        ConvOptions o = options;
        return Repr.conv(inChannels, outChannels, new long[] {kernelH, kernelW}, new long[] {o.strideH(), o.strideW()},
                new long[] {o.padH(), o.padW()}, o.padMode(), new long[] {o.dilationH(), o.dilationW()}, new long[] {0, 0},
                o.groups(), bias != null);
    }
}
