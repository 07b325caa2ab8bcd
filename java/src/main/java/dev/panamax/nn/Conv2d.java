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
        if (inChannels <= 0 || outChannels <= 0 || kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("Conv2d: channels and kernel sizes must be positive, got in=" + inChannels
                    + " out=" + outChannels + " kernel=" + kernelH + "x" + kernelW);
        }
        if (inChannels % options.groups() != 0 || outChannels % options.groups() != 0) {
            throw new IllegalArgumentException("Conv2d: in_channels " + inChannels + " and out_channels " + outChannels
                    + " must be divisible by groups " + options.groups());
        }
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
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=(").append(kernelH).append(", ").append(kernelW).append(')')
                .append(", stride=(").append(options.strideH()).append(", ").append(options.strideW()).append(')');
        if (options.padMode() != null) {
            sb.append(", padding=").append(options.padMode());
        } else if (options.padH() != 0 || options.padW() != 0) {
            sb.append(", padding=(").append(options.padH()).append(", ").append(options.padW()).append(')');
        }
        if (options.dilationH() != 1 || options.dilationW() != 1) {
            sb.append(", dilation=(").append(options.dilationH()).append(", ").append(options.dilationW()).append(')');
        }
        if (options.groups() != 1) {
            sb.append(", groups=").append(options.groups());
        }
        if (bias == null) {
            sb.append(", bias=False");
        }
        return sb.toString();
    }
}
