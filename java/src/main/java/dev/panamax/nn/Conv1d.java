package dev.panamax.nn;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * 1-D convolution layer over [N, C, L] (or [C, L]): weight [out, in/groups, kernel], optional
 * bias, PyTorch's default initialisation. The options' width entries apply ({@code stride(s)},
 * {@code padding(p)} set them).
 */
public final class Conv1d extends ConvLayer {
    private final int kernel;

    /** Stride 1, no padding, with bias. */
    public Conv1d(long inChannels, long outChannels, int kernel) {
        this(inChannels, outChannels, kernel, ConvOptions.DEFAULT, true, Generator.global());
    }

    public Conv1d(long inChannels, long outChannels, int kernel, ConvOptions options, boolean bias, Generator gen) {
        LayerChecks.convolution("Conv1d", inChannels, outChannels, options.groups(), kernel);
        super(inChannels, outChannels, options, new long[] {outChannels, inChannels / options.groups(), kernel}, outChannels, bias, gen);
        this.kernel = kernel;
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
