package dev.panamax.nn;

import java.math.BigDecimal;

/** Python's spelling of values in layers' printouts, so they read like PyTorch's ({@code eps=1e-05, affine=True}). */
final class Repr {
    private Repr() {}

    /** Python's repr of a float: shortest digits, exponent form below 1e-4 or from 1e16 ({@code 1e-05, 0.1, 2.0}). */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = d.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (v < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = d.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    static String bool(boolean b) {
        return b ? "True" : "False";
    }

    /** An int pair as PyTorch prints a size argument: {@code 3} when given as one number, else {@code (3, 1)}. */
    static String pair(int h, int w) {
        return h == w ? Integer.toString(h) : "(" + h + ", " + w + ")";
    }

    /** A pooling window as PyTorch prints it: {@code kernel_size=3, stride=2, padding=1}. */
    static String window(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
        return "kernel_size=" + pair(kernelH, kernelW) + ", stride=" + pair(strideH, strideW) + ", padding=" + pair(padH, padW);
    }

    /** An int pair that PyTorch always stores as a tuple (convolutions' sizes): {@code (3, 3)}. */
    static String tuple(long... values) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            sb.append(i > 0 ? ", " : "").append(values[i]);
        }
        return sb.append(values.length == 1 ? ",)" : ")").toString();
    }

    /**
     * PyTorch's ConvNd printout: {@code 1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)};
     * padding, dilation, output padding, groups and bias only where they differ from the defaults.
     * Each size holds one entry per spatial axis.
     */
    static String conv(long in, long out, long[] kernel, long[] stride, long[] padding, String padMode, long[] dilation,
                       long[] outputPadding, int groups, boolean bias) {
        StringBuilder sb = new StringBuilder().append(in).append(", ").append(out)
                .append(", kernel_size=").append(tuple(kernel)).append(", stride=").append(tuple(stride));
        if (padMode != null) {
            sb.append(", padding=").append(padMode);
        } else if (!all(padding, 0)) {
            sb.append(", padding=").append(tuple(padding));
        }
        if (!all(dilation, 1)) {
            sb.append(", dilation=").append(tuple(dilation));
        }
        if (!all(outputPadding, 0)) {
            sb.append(", output_padding=").append(tuple(outputPadding));
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (!bias) {
            sb.append(", bias=False");
        }
        return sb.toString();
    }

    private static boolean all(long[] values, long v) {
        for (long x : values) {
            if (x != v) {
                return false;
            }
        }
        return true;
    }
}
