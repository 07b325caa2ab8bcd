package dev.panamax.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * Output sizes and receptive fields of a stack of convolution and pooling layers along one
 * spatial axis (for 2-D networks, compute rows and columns separately), with the classic
 * recurrences (Dumoulin and Visin, "A guide to convolution arithmetic for deep learning";
 * Araujo et al., "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019).
 * For layer l with effective kernel k' = dilation·(k - 1) + 1:
 * <pre>
 *   size_l  = floor((size_{l-1} + 2·pad - k') / stride) + 1   (ceil mode as PyTorch's pooling)
 *   jump_l  = jump_{l-1} · stride
 *   field_l = field_{l-1} + (k' - 1) · jump_{l-1}
 *   start_l = start_{l-1} + ((k' - 1) / 2 - pad) · jump_{l-1}
 * </pre>
 * starting from size = input size, jump = 1, field = 1, start = 0. Positions are input pixel
 * coordinates with pixel i centred at i, so {@code start} is the centre of the first output's
 * field (negative when that field reaches into the padding).
 */
public final class ReceptiveField {
    private ReceptiveField() {}

    /** One layer along one axis; {@code name} labels the report. */
    public record Layer(String name, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        public Layer {
            if (kernel < 1 || stride < 1 || dilation < 1 || padding < 0) {
                throw new IllegalArgumentException("ReceptiveField.Layer " + name + ": kernel, stride and dilation must be positive and"
                        + " padding non-negative, got kernel " + kernel + ", stride " + stride + ", padding " + padding + ", dilation " + dilation);
            }
        }

        /** A convolution (or any layer that rounds its output size down). */
        public static Layer conv(String name, int kernel, int stride, int padding) {
            return new Layer(name, kernel, stride, padding, 1, false);
        }

        public static Layer conv(String name, int kernel, int stride, int padding, int dilation) {
            return new Layer(name, kernel, stride, padding, dilation, false);
        }

        /** A pooling layer, optionally in ceil mode. */
        public static Layer pool(String name, int kernel, int stride, int padding, boolean ceilMode) {
            return new Layer(name, kernel, stride, padding, 1, ceilMode);
        }

        int effectiveKernel() {
            return dilation * (kernel - 1) + 1;
        }
    }

    /** What a layer's output sees: its size, and for each output cell the receptive field. */
    public record Info(Layer layer, long outputSize, long receptiveField, long jump, double start) {}

    /** The report for each layer, in order, for an input of {@code inputSize} pixels. */
    public static List<Info> of(List<Layer> layers, long inputSize) {
        if (inputSize < 1) {
            throw new IllegalArgumentException("ReceptiveField: input size must be positive, got " + inputSize);
        }
        List<Info> result = new ArrayList<>(layers.size());
        long size = inputSize;
        long jump = 1;
        long field = 1;
        double start = 0;
        for (Layer l : layers) {
            long out = PoolGeometry.outputSize(size, l.kernel(), l.stride(), l.padding(), l.dilation(), l.ceilMode());
            if (out < 1) {
                throw new IllegalArgumentException("ReceptiveField: layer " + l.name() + " (effective kernel " + l.effectiveKernel()
                        + ", padding " + l.padding() + ") does not fit its input of " + size + " pixels");
            }
            start += ((l.effectiveKernel() - 1) / 2.0 - l.padding()) * jump;
            field += (long) (l.effectiveKernel() - 1) * jump;
            jump *= l.stride();
            size = out;
            result.add(new Info(l, size, field, jump, start));
        }
        return result;
    }
}
