package dev.panamax.backend;

/**
 * Elementwise functions of two tensors. The comparisons write BOOL (0 or 1); the others write
 * the promoted type. Semantics in double precision, as every backend must match.
 */
public enum BinaryOp {
    ADD { public double apply(double a, double b) { return a + b; } },
    SUB { public double apply(double a, double b) { return a - b; } },
    MUL { public double apply(double a, double b) { return a * b; } },
    DIV { public double apply(double a, double b) { return a / b; } },
    /** C's pow: 1^NaN = 1 and (-1)^inf = 1, as in PyTorch ({@link ScalarMath#pow}). */
    POW { public double apply(double a, double b) { return ScalarMath.pow(a, b); } },
    /** NaN if either is NaN, as {@code torch.maximum}. */
    MAXIMUM { public double apply(double a, double b) { return Math.max(a, b); } },
    MINIMUM { public double apply(double a, double b) { return Math.min(a, b); } },
    EQ { public double apply(double a, double b) { return a == b ? 1 : 0; } },
    NE { public double apply(double a, double b) { return a != b ? 1 : 0; } },
    LT { public double apply(double a, double b) { return a < b ? 1 : 0; } },
    LE { public double apply(double a, double b) { return a <= b ? 1 : 0; } },
    GT { public double apply(double a, double b) { return a > b ? 1 : 0; } },
    GE { public double apply(double a, double b) { return a >= b ? 1 : 0; } },
    LOGICAL_AND { public double apply(double a, double b) { return a != 0 && b != 0 ? 1 : 0; } },
    LOGICAL_OR { public double apply(double a, double b) { return a != 0 || b != 0 ? 1 : 0; } };

    public abstract double apply(double a, double b);

    /** True for the ops whose result is BOOL whatever the inputs. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
