package dev.panamax.nn;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Transposed 2-D convolution layer ("deconvolution"): weight [in, out/groups, kH, kW], optional
 * bias, PyTorch's default initialisation (its fan-in is weight.size(1)·kH·kW, as PyTorch's).
 * Output padding comes from the options.
 */
public final class ConvTranspose2d extends ConvLayer {
    private final int kernelH;
    private final int kernelW;

    /** Square kernel, stride 1, no padding, with bias. */
    public ConvTranspose2d(long inChannels, long outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, ConvOptions.DEFAULT, true, Generator.global());
    }

    public ConvTranspose2d(long inChannels, long outChannels, int kernel, ConvOptions options) {
        this(inChannels, outChannels, kernel, kernel, options, true, Generator.global());
    }

    public ConvTranspose2d(long inChannels, long outChannels, int kernelH, int kernelW, ConvOptions options, boolean bias,
                           Generator gen) {
        LayerChecks.convolution("ConvTranspose2d", inChannels, outChannels, options.groups(), kernelH, kernelW);
        if (options.padMode() != null) {
            throw new IllegalArgumentException("ConvTranspose2d: padding must be a number, not \"" + options.padMode() + "\"");
        }
        super(inChannels, outChannels, options, new long[] {inChannels, outChannels / options.groups(), kernelH, kernelW}, outChannels,
                bias, gen);
        this.kernelH = kernelH;
        this.kernelW = kernelW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.convTranspose2d(x, weight, bias, options);
    }

    @Override
    protected String extraRepr() {
        ConvOptions o = options;
        return Repr.conv(inChannels, outChannels, new long[] {kernelH, kernelW}, new long[] {o.strideH(), o.strideW()},
                new long[] {o.padH(), o.padW()}, null, new long[] {o.dilationH(), o.dilationW()},
                new long[] {o.outputPadH(), o.outputPadW()}, o.groups(), bias != null);
    }
}
