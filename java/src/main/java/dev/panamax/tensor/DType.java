package dev.panamax.tensor;

/**
 * Element types. Names and promotion rules follow PyTorch ({@code torch.float32}, ...).
 * {@link #BOOL} is stored as one byte (0 or 1), like PyTorch's {@code torch.bool}.
 */
public enum DType {
    FLOAT32(4, Kind.FLOAT, "float32"),
    FLOAT64(8, Kind.FLOAT, "float64"),
    INT32(4, Kind.INTEGER, "int32"),
    INT64(8, Kind.INTEGER, "int64"),
    UINT8(1, Kind.INTEGER, "uint8"),
    BOOL(1, Kind.BOOL, "bool");

    private enum Kind { BOOL, INTEGER, FLOAT }

    private final int byteSize;
    private final Kind kind;
    private final String pyName;

    DType(int byteSize, Kind kind, String pyName) {
        this.byteSize = byteSize;
        this.kind = kind;
        this.pyName = pyName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return kind == Kind.FLOAT;
    }

    /** True for the integer types and BOOL: the types whose values are exact whole numbers. */
    public boolean isIntegral() {
        return kind != Kind.FLOAT;
    }

    /** PyTorch's name, e.g. {@code float32}. */
    public String pyName() {
        return pyName;
    }

    /** The type both operands of a binary op are computed in (PyTorch's {@code torch.promote_types}). */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if (a.kind != b.kind) {
            return a.kind.ordinal() > b.kind.ordinal() ? a : b;
        }
        return a.byteSize >= b.byteSize ? a : b;
    }

    /** The floating-point type an op on integers computes in (true division, exp, mean ...). */
    public DType toFloatingPoint() {
        return isFloatingPoint() ? this : FLOAT32;
    }
}
