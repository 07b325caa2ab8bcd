package dev.panamax.nn;

import dev.panamax.ops.ConvOptions;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * What the convolution layers share: channel counts, options, a weight of the given shape and an
 * optional bias of {@code biasSize}, both initialised as PyTorch's ConvNd does.
 */
abstract class ConvLayer extends Module {
    final long inChannels;
    final long outChannels;
    final ConvOptions options;
    final Tensor weight;
    final Tensor bias;

    ConvLayer(long inChannels, long outChannels, ConvOptions options, long[] weightShape, long biasSize, boolean bias, Generator gen) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.options = options;
        this.weight = registerParameter("weight", Tensor.empty(DType.FLOAT32, weightShape));
        this.bias = bias ? registerParameter("bias", Tensor.empty(DType.FLOAT32, biasSize)) : null;
        Init.pytorchDefault(weight, this.bias, gen);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when the layer has none. */
    public Tensor bias() {
        return bias;
    }

    public ConvOptions options() {
        return options;
    }
}
