package dev.panamax.ops;

import java.util.Locale;

/**
 * Stride, padding, dilation and groups of a convolution, PyTorch's defaults (1, 0, 1, 1).
 * Immutable; each wither returns a copy: {@code ConvOptions.DEFAULT.stride(2).padding(1)}.
 * Padding is per side (top = bottom, left = right) or {@code "same"} / {@code "valid"}.
 *
 * @param outputPadding extra rows/columns on one side of a transposed convolution's output
 */
public record ConvOptions(int strideH, int strideW, int padH, int padW, String padMode, int dilationH, int dilationW,
                          int groups, int outputPadH, int outputPadW) {
    public static final ConvOptions DEFAULT = new ConvOptions(1, 1, 0, 0, null, 1, 1, 1, 0, 0);

    public ConvOptions stride(int s) {
        return stride(s, s);
    }

    public ConvOptions stride(int sh, int sw) {
        return new ConvOptions(sh, sw, padH, padW, padMode, dilationH, dilationW, groups, outputPadH, outputPadW);
    }

    public ConvOptions padding(int p) {
        return padding(p, p);
    }

    public ConvOptions padding(int ph, int pw) {
        return new ConvOptions(strideH, strideW, ph, pw, null, dilationH, dilationW, groups, outputPadH, outputPadW);
    }

    /** {@code "same"} (output size = input size; stride 1 only) or {@code "valid"} (no padding). */
    public ConvOptions padding(String mode) {
        String m = mode.toLowerCase(Locale.ROOT);
        if (!m.equals("same") && !m.equals("valid")) {
            throw new IllegalArgumentException("padding must be a number, \"same\" or \"valid\", got \"" + mode + "\"");
        }
        return new ConvOptions(strideH, strideW, 0, 0, m, dilationH, dilationW, groups, outputPadH, outputPadW);
    }

    public ConvOptions dilation(int d) {
        return dilation(d, d);
    }

    public ConvOptions dilation(int dh, int dw) {
        return new ConvOptions(strideH, strideW, padH, padW, padMode, dh, dw, groups, outputPadH, outputPadW);
    }

    public ConvOptions groups(int g) {
        return new ConvOptions(strideH, strideW, padH, padW, padMode, dilationH, dilationW, g, outputPadH, outputPadW);
    }

    public ConvOptions outputPadding(int p) {
        return outputPadding(p, p);
    }

    public ConvOptions outputPadding(int ph, int pw) {
        return new ConvOptions(strideH, strideW, padH, padW, padMode, dilationH, dilationW, groups, ph, pw);
    }
}
