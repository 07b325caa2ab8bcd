package dev.panamax.nn;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** 2-D convolution layer: weight [out, in/groups, kH, kW], optional bias, PyTorch's default initialisation. */
public final class Conv2d extends ConvLayer {
    private final int kernelH;
    private final int kernelW;

    /** Square kernel, stride 1, no padding, with bias. */
    public Conv2d(long inChannels, long outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, ConvOptions.DEFAULT, true, Generator.global());
    }

    public Conv2d(long inChannels, long outChannels, int kernel, ConvOptions options) {
        this(inChannels, outChannels, kernel, kernel, options, true, Generator.global());
    }

    public Conv2d(long inChannels, long outChannels, int kernelH, int kernelW, ConvOptions options, boolean bias, Generator gen) {
        LayerChecks.convolution("Conv2d", inChannels, outChannels, options.groups(), kernelH, kernelW);
        super(inChannels, outChannels, options, new long[] {outChannels, inChannels / options.groups(), kernelH, kernelW}, outChannels,
                bias, gen);
        this.kernelH = kernelH;
        this.kernelW = kernelW;
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
