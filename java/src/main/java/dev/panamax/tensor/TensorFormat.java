package dev.panamax.tensor;

import java.util.Locale;

/** PyTorch-style printing: aligned columns, shared number format, summarised above 1000 elements. */
final class TensorFormat {
    private static final int THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final int LINE_WIDTH = 80;
    private static final String PREFIX = "tensor(";

    private TensorFormat() {}

    static String format(Tensor t) {
        double[] values = t.toDoubleArray();
        long[] shape = t.shape().toArray();
        boolean summarize = values.length > THRESHOLD;
        NumberFormat nf = NumberFormat.of(t.dtype(), summarize ? displayed(values, shape) : values);
        StringBuilder sb = new StringBuilder(PREFIX);
        if (values.length == 0) {
            sb.append("[]");
        } else if (shape.length == 0) {
            sb.append(nf.format(values[0]).strip());
        } else {
            long[] strides = Shape.of(shape).contiguousStrides();
            appendBlock(sb, values, shape, strides, 0, 0, nf, summarize, PREFIX.length());
        }
        if (values.length == 0 && shape.length > 1) {
            sb.append(", size=").append(t.shape());
        }
        if (t.device().type() != Device.Type.CPU) {
            sb.append(", device='").append(t.device()).append('\'');
        }
        if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.INT64 && t.dtype() != DType.BOOL) {
            sb.append(", dtype=torch.").append(t.dtype().pyName());
        }
        if (t.gradFn() != null) {
            sb.append(", grad_fn=<").append(t.gradFn().name()).append('>');
        } else if (t.requiresGrad()) {
            sb.append(", requires_grad=True");
        }
        return sb.append(')').toString();
    }

    /** The values a summarised print shows (the format is chosen from these only, as PyTorch does). */
    private static double[] displayed(double[] values, long[] shape) {
        java.util.List<Double> shown = new java.util.ArrayList<>();
        collect(values, shape, Shape.of(shape).contiguousStrides(), 0, 0, shown);
        return shown.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(double[] v, long[] shape, long[] strides, int dim, long base, java.util.List<Double> out) {
        long n = shape[dim];
        for (long i = 0; i < n; i++) {
            if (n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
                i = n - EDGE_ITEMS;
            }
            long at = base + i * strides[dim];
            if (dim == shape.length - 1) {
                out.add(v[(int) at]);
            } else {
                collect(v, shape, strides, dim + 1, at, out);
            }
        }
    }

    private static void appendBlock(StringBuilder sb, double[] v, long[] shape, long[] strides, int dim, long base,
                                    NumberFormat nf, boolean summarize, int indent) {
        long n = shape[dim];
        boolean cut = summarize && n > 2 * EDGE_ITEMS;
        sb.append('[');
        if (dim == shape.length - 1) {
            int perLine = Math.max(1, (LINE_WIDTH - indent - 1) / (nf.width + 2));
            int onLine = 0;
            for (long i = 0; i < n; i++) {
                if (cut && i == EDGE_ITEMS) {
                    sb.append("  ...,");
                    i = n - EDGE_ITEMS;
                }
                if (onLine == perLine) {
                    sb.append('\n').append(" ".repeat(indent + 1));
                    onLine = 0;
                } else if (i > 0) {
                    sb.append(' ');
                }
                sb.append(nf.format(v[(int) (base + i * strides[dim])]));
                if (i < n - 1) {
                    sb.append(',');
                }
                onLine++;
            }
        } else {
            String separator = "," + "\n".repeat(shape.length - 1 - dim) + " ".repeat(indent + 1);
            for (long i = 0; i < n; i++) {
                if (cut && i == EDGE_ITEMS) {
                    sb.append("...").append(separator);
                    i = n - EDGE_ITEMS;
                }
                appendBlock(sb, v, shape, strides, dim + 1, base + i * strides[dim], nf, summarize, indent + 1);
                if (i < n - 1) {
                    sb.append(separator);
                }
            }
        }
        sb.append(']');
    }

    /** One format for all elements, chosen from their range as PyTorch's _Formatter does. */
    private static final class NumberFormat {
        enum Mode { BOOL, INTEGER, INT_VALUED_FLOAT, FIXED, SCIENTIFIC }

        final Mode mode;
        final int width;

        private NumberFormat(Mode mode, double[] v) {
            this.mode = mode;
            int w = 1;
            for (double x : v) {
                w = Math.max(w, raw(x).length());
            }
            this.width = w;
        }

        static NumberFormat of(DType dtype, double[] v) {
            if (dtype == DType.BOOL) {
                return new NumberFormat(Mode.BOOL, v);
            }
            if (dtype.isIntegral()) {
                return new NumberFormat(Mode.INTEGER, v);
            }
            double maxAbs = 0;
            double minAbs = Double.POSITIVE_INFINITY;
            boolean intValued = true;
            for (double x : v) {
                if (!Double.isFinite(x)) {
                    continue;
                }
                double a = Math.abs(x);
                maxAbs = Math.max(maxAbs, a);
                if (a > 0) {
                    minAbs = Math.min(minAbs, a);
                }
                intValued &= x == Math.rint(x);
            }
            if (intValued) {
                return new NumberFormat(maxAbs > 1e8 ? Mode.SCIENTIFIC : Mode.INT_VALUED_FLOAT, v);
            }
            boolean sci = maxAbs > 1e8 || (minAbs != Double.POSITIVE_INFINITY && (maxAbs / minAbs > 1000 || minAbs < 1e-4));
            return new NumberFormat(sci ? Mode.SCIENTIFIC : Mode.FIXED, v);
        }

        private String raw(double x) {
            if (mode == Mode.BOOL) {
                return x != 0 ? "True" : "False";
            }
            if (mode == Mode.INTEGER) {
                return Long.toString((long) x);
            }
            if (Double.isNaN(x)) {
                return "nan";
            }
            if (Double.isInfinite(x)) {
                return x > 0 ? "inf" : "-inf";
            }
            return switch (mode) {
                case INT_VALUED_FLOAT -> String.format(Locale.ROOT, "%.0f.", x);
                case FIXED -> String.format(Locale.ROOT, "%.4f", x);
                default -> String.format(Locale.ROOT, "%.4e", x).replaceAll("e([+-])(\\d)$", "e$10$2");
            };
        }

        String format(double x) {
            String s = raw(x);
            return " ".repeat(width - s.length()) + s;
        }
    }
}
