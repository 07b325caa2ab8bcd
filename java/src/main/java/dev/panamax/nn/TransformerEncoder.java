package dev.panamax.nn;

import dev.panamax.ops.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A stack of {@link TransformerEncoderLayer}s, optionally followed by a final layer norm, as
 * {@code torch.nn.TransformerEncoder}; the state dict keys are PyTorch's ({@code layers.0...},
 * {@code norm...}). PyTorch deep-copies one layer, so its layers start equal; here each layer
 * comes from the factory, so they start with independent weights unless the factory copies.
 *
 * <p>With a {@code srcKeyPaddingMask}, the outputs at padded positions are computed like the
 * others, as PyTorch computes them with autograd on. PyTorch 2.13 in eval mode under {@code
 * no_grad} (its nested-tensor fast path, {@code enable_nested_tensor=True}) returns zeros there
 * instead; the unpadded positions agree either way.
 */
public final class TransformerEncoder extends Module {
    private final ModuleList layers;
    private final LayerNorm norm;

    /**
     * @param layerFactory called {@code numLayers} times for the layers
     * @param norm         the final normalisation, or null for none
     */
    public TransformerEncoder(Supplier<? extends TransformerEncoderLayer> layerFactory, int numLayers, LayerNorm norm) {
        LayerChecks.positive("TransformerEncoder", "num_layers", numLayers);
        List<TransformerEncoderLayer> list = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            list.add(layerFactory.get());
        }
        this.layers = registerModule("layers", new ModuleList(list));
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    public int numLayers() {
        return layers.size();
    }

    public TransformerEncoderLayer layer(int i) {
        return (TransformerEncoderLayer) layers.get(i);
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /** PyTorch's {@code forward(src, mask, src_key_padding_mask, is_causal)}: every layer gets the same masks. */
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask, boolean isCausal) {
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) {
            Tensor y = layer(i).forward(x, mask, srcKeyPaddingMask, isCausal);
            if (x != src) {
                x.close();
            }
            x = y;
        }
        if (norm != null) {
            try (Tensor last = x) {
                return norm.forward(last);
            }
        }
        return x;
    }

    /**
     * PyTorch's {@code Transformer.generate_square_subsequent_mask}: a float32 (size, size) mask,
     * 0 on and below the diagonal and -inf above it.
     */
    public static Tensor generateSquareSubsequentMask(long size) {
        try (Tensor allowed = Attention.causalMask(size, size, dev.panamax.tensor.Device.CPU); Tensor banned = allowed.logicalNot();
             Tensor zeros = Tensor.zeros(DType.FLOAT32, size, size)) {
            return zeros.maskedFill(banned, Double.NEGATIVE_INFINITY);
        }
    }
}
