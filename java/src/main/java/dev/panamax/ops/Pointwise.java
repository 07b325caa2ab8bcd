package dev.panamax.ops;

import static dev.panamax.ops.OpSupport.backend;
import static dev.panamax.ops.OpSupport.broadcastOperand;
import static dev.panamax.ops.OpSupport.reduceTo;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.UnaryOp;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/** Elementwise arithmetic, math functions, comparisons and selection, with broadcasting. */
public final class Pointwise {
    private Pointwise() {}

    // ---------------------------------------------------------------- binary arithmetic

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = binary("add", BinaryOp.ADD, a, b, resultType(a, b));
        return Autograd.record("AddBackward", out, (g, needs) -> new Tensor[] {
            needs[0] ? reduceTo(g, a) : null,
            needs[1] ? reduceTo(g, b) : null}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        if (a.dtype() == DType.BOOL || b.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("sub: subtraction with a bool tensor is not supported (got " + a.describe() + " and "
                    + b.describe() + "); to invert a mask use logicalNot()");
        }
        Tensor out = binary("sub", BinaryOp.SUB, a, b, resultType(a, b));
        return Autograd.record("SubBackward", out, (g, needs) -> new Tensor[] {
            needs[0] ? reduceTo(g, a) : null,
            needs[1] ? reduceNeg(g, b) : null}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binary("mul", BinaryOp.MUL, a, b, resultType(a, b));
        return Autograd.record("MulBackward", out, (g, needs) -> new Tensor[] {
            needs[0] ? productTo(g, b, a) : null,
            needs[1] ? productTo(g, a, b) : null}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = binary("div", BinaryOp.DIV, a, b, resultType(a, b).toFloatingPoint());
        return Autograd.record("DivBackward", out, (g, needs) -> {
            Tensor ga = null;
            Tensor gb = null;
            if (needs[0]) {
                try (Tensor q = div(g, b)) {
                    ga = reduceTo(q, a);
                }
            }
            if (needs[1]) {
                try (Tensor q = div(out, b); Tensor p = mul(g, q); Tensor n = neg(p)) {
                    gb = reduceTo(n, b);
                }
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    /** a^b; where a is 0 the gradient with respect to b is taken as 0, as in PyTorch. */
    public static Tensor pow(Tensor a, Tensor b) {
        Tensor out = binary("pow", BinaryOp.POW, a, b, resultType(a, b).toFloatingPoint());
        return Autograd.record("PowBackward", out, (g, needs) -> {
            Tensor ga = null;
            Tensor gb = null;
            if (needs[0]) {
                // zero where b is 0 (PyTorch's rule): 0 * 0^-1 would be NaN at a = 0
                try (Tensor bm1 = sub(b, 1.0); Tensor p = pow(a, bm1); Tensor d = mul(p, b); Tensor bZero = b.eq(0);
                     Tensor safe = maskedFill(d, bZero, 0); Tensor q = mul(g, safe)) {
                    ga = reduceTo(q, a);
                }
            }
            if (needs[1]) {
                try (Tensor zero = a.eq(0); Tensor la = log(a); Tensor safe = maskedFill(la, zero, 0);
                     Tensor d = mul(out, safe); Tensor q = mul(g, d)) {
                    gb = reduceTo(q, b);
                }
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    /** Elementwise maximum; NaN if either is NaN; ties split the gradient evenly, as in PyTorch. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return minMax("maximum", BinaryOp.MAXIMUM, BinaryOp.GT, a, b);
    }

    public static Tensor minimum(Tensor a, Tensor b) {
        return minMax("minimum", BinaryOp.MINIMUM, BinaryOp.LT, a, b);
    }

    private static Tensor minMax(String name, BinaryOp op, BinaryOp wins, Tensor a, Tensor b) {
        Tensor out = binary(name, op, a, b, resultType(a, b));
        return Autograd.record(name + "Backward", out, (g, needs) -> {
            // share of the gradient a gets: 1 where it wins, 0.5 on ties, 0 where it loses
            try (Tensor win = compare(wins, a, b); Tensor tie = compare(BinaryOp.EQ, a, b);
                 Tensor winF = win.to(g.dtype()); Tensor tieF = tie.to(g.dtype()); Tensor half = tieF.mul(0.5);
                 Tensor share = add(winF, half); Tensor ga = mul(g, share); Tensor gb = sub(g, ga)) {
                return new Tensor[] {needs[0] ? reduceTo(ga, a) : null, needs[1] ? reduceTo(gb, b) : null};
            }
        }, a, b);
    }

    public static Tensor add(Tensor a, double v) {
        try (Tensor s = scalarLike(v, a)) {
            return add(a, s);
        }
    }

    public static Tensor sub(Tensor a, double v) {
        try (Tensor s = scalarLike(v, a)) {
            return sub(a, s);
        }
    }

    public static Tensor mul(Tensor a, double v) {
        try (Tensor s = scalarLike(v, a)) {
            return mul(a, s);
        }
    }

    public static Tensor div(Tensor a, double v) {
        try (Tensor s = scalarLike(v, a)) {
            return div(a, s);
        }
    }

    /** a^exponent with the exponent a plain number (one fused kernel each way). */
    public static Tensor pow(Tensor a, double exponent) {
        return unary("pow", UnaryOp.POW_SCALAR, a, exponent, 0);
    }

    /**
     * A 0-d tensor holding {@code v} in the type an op with {@code like} should compute in: a
     * plain number does not widen a tensor's type (PyTorch's rule for "wrapped numbers").
     */
    public static Tensor scalarLike(double v, Tensor like) {
        DType t = like.dtype();
        if (t.isIntegral() && v != Math.rint(v)) {
            t = DType.FLOAT32;
        } else if (t == DType.BOOL) {
            t = DType.INT64;
        }
        return Tensor.full(Shape.scalar(), v, t, like.device());
    }

    private static DType resultType(Tensor a, Tensor b) {
        // a 0-d operand does not widen a tensor of the same or a higher category (bool < integer <
        // floating): float64 scalar * float32 is float32, but 1.5 * int tensor is float and 1 + bool tensor is int
        if (a.rank() == 0 && b.rank() > 0 && category(a.dtype()) <= category(b.dtype())) {
            return b.dtype();
        }
        if (b.rank() == 0 && a.rank() > 0 && category(b.dtype()) <= category(a.dtype())) {
            return a.dtype();
        }
        return DType.promote(a.dtype(), b.dtype());
    }

    /** PyTorch's type categories: 0 bool, 1 integer, 2 floating point. */
    private static int category(DType t) {
        return t.isFloatingPoint() ? 2 : t == DType.BOOL ? 0 : 1;
    }

    private static Tensor binary(String name, BinaryOp op, Tensor a, Tensor b, DType outType) {
        Backend be = backend(name, a, b);
        Shape shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = OpSupport.empty(a, shape, outType);
        be.binary(op, broadcastOperand(a, shape), broadcastOperand(b, shape), out.operand());
        return out;
    }

    /** target op= other in place (other broadcast to target's shape); no graph. */
    public static Tensor inPlace(BinaryOp op, Tensor target, Tensor other) {
        Backend be = backend(op.name().toLowerCase() + "_", target, other);
        Shape s = Shape.broadcast(op.name().toLowerCase() + "_", target.shape(), other.shape());
        if (!s.equals(target.shape())) {
            throw new IllegalArgumentException(op.name().toLowerCase() + "_: cannot broadcast " + other.shape()
                    + " into the in-place target of shape " + target.shape());
        }
        DType result = op == BinaryOp.DIV ? resultType(target, other).toFloatingPoint() : resultType(target, other);
        if (category(result) > category(target.dtype())) {
            throw new IllegalArgumentException(op.name().toLowerCase() + "_: the result type " + result.pyName()
                    + " cannot be stored in the in-place target " + target.describe() + " (it would be truncated)");
        }
        dev.panamax.backend.Operand t = target.operand();
        dev.panamax.backend.Operand o = broadcastOperand(other, s);
        if (o.storage() == t.storage() && !(o.offset() == t.offset() && java.util.Arrays.equals(o.strides(), t.strides()))) {
            // other is a different view of the target's memory (x.add_(x.t()), a shifted slice): the
            // kernel would read elements it has already overwritten, so read from a copy
            try (Tensor copy = other.contiguousCopy()) {
                be.binary(op, t, broadcastOperand(copy, s), t);
            }
            return target;
        }
        be.binary(op, t, o, t);
        return target;
    }

    private static Tensor reduceNeg(Tensor g, Tensor input) {
        try (Tensor n = neg(g)) {
            return reduceTo(n, input);
        }
    }

    private static Tensor productTo(Tensor g, Tensor factor, Tensor input) {
        try (Tensor p = mul(g, factor)) {
            return reduceTo(p, input);
        }
    }

    // ---------------------------------------------------------------- unary math

    public static Tensor neg(Tensor x) {
        return unary("neg", UnaryOp.NEG, x, 0, 0);
    }

    public static Tensor exp(Tensor x) {
        return unary("exp", UnaryOp.EXP, x, 0, 0);
    }

    public static Tensor log(Tensor x) {
        return unary("log", UnaryOp.LOG, x, 0, 0);
    }

    public static Tensor log1p(Tensor x) {
        return unary("log1p", UnaryOp.LOG1P, x, 0, 0);
    }

    public static Tensor sqrt(Tensor x) {
        return unary("sqrt", UnaryOp.SQRT, x, 0, 0);
    }

    public static Tensor rsqrt(Tensor x) {
        return unary("rsqrt", UnaryOp.RSQRT, x, 0, 0);
    }

    public static Tensor abs(Tensor x) {
        return unary("abs", UnaryOp.ABS, x, 0, 0);
    }

    public static Tensor sign(Tensor x) {
        return unary("sign", UnaryOp.SIGN, x, 0, 0);
    }

    /** Clamps into [min, max] (use infinities for one-sided); gradient 1 inside the closed interval. */
    public static Tensor clamp(Tensor x, double min, double max) {
        if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
            throw new IllegalArgumentException("clamp: need min <= max, got min=" + min + " max=" + max);
        }
        if (x.dtype().isIntegral() && x.dtype() != DType.BOOL && (min != Math.rint(min) || max != Math.rint(max))) {
            // a fractional bound makes the result float32, as in PyTorch (int clamp(0.5, 1.5) is not [0, 1])
            try (Tensor xf = x.to(DType.FLOAT32)) {
                return unary("clamp", UnaryOp.CLAMP, xf, min, max);
            }
        }
        return unary("clamp", UnaryOp.CLAMP, x, min, max);
    }

    public static Tensor logicalNot(Tensor x) {
        Tensor out = OpSupport.empty(x, x.shape(), DType.BOOL);
        backend("logicalNot", x).unary(UnaryOp.LOGICAL_NOT, x.operand(), out.operand(), 0, 0);
        return out;
    }

    /** Ops that keep an integer input's type; the others compute in floating point. */
    private static boolean keepsIntegerType(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SIGN, CLAMP, RELU, HARDTANH -> true;
            default -> false;
        };
    }

    /**
     * Applies an elementwise function and records its fused backward kernel
     * ({@link dev.panamax.backend.Backend#unaryBackward}).
     */
    static Tensor unary(String name, UnaryOp op, Tensor x, double p0, double p1) {
        Backend be = backend(name, x);
        if (x.dtype() == DType.BOOL && op != UnaryOp.LOGICAL_NOT) {
            throw new IllegalArgumentException(name + ": not defined for bool tensors (" + x.describe() + ")");
        }
        DType outType = keepsIntegerType(op) ? x.dtype() : x.dtype().toFloatingPoint();
        Tensor out = OpSupport.empty(x, x.shape(), outType);
        be.unary(op, x.operand(), out.operand(), p0, p1);
        OpTrace.report(name, out);
        String backwardName = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Backward";
        return Autograd.record(backwardName, out, (g, needs) -> {
            OpSupport.noHigherOrder(backwardName);
            Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
            be.unaryBackward(op, x.operand(), out.operand(), g.operand(), gx.operand(), p0, p1);
            return new Tensor[] {gx};
        }, x);
    }

    // ---------------------------------------------------------------- comparisons and selection

    /** Elementwise comparison or logical op; returns BOOL, never differentiable. */
    public static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        if (!op.isComparison()) {
            throw new IllegalArgumentException(op + " is not a comparison");
        }
        return binary(op.name().toLowerCase(), op, a, b, DType.BOOL);
    }

    public static Tensor compare(BinaryOp op, Tensor a, double v) {
        try (Tensor s = scalarLike(v, a)) {
            return compare(op, a, s);
        }
    }

    /** cond ? a : b elementwise, with broadcasting of all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be a bool tensor, got " + cond.describe());
        }
        Backend be = backend("where", cond, a, b);
        Shape shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor out = OpSupport.empty(a, shape, resultType(a, b));
        be.where(broadcastOperand(cond, shape), broadcastOperand(a, shape), broadcastOperand(b, shape), out.operand());
        return Autograd.record("WhereBackward", out, (g, needs) -> {
            Tensor ga = null;
            Tensor gb = null;
            try (Tensor zero = Tensor.full(Shape.scalar(), 0, g.dtype(), g.device())) {
                if (needs[1]) {
                    try (Tensor w = where(cond, g, zero)) {
                        ga = reduceTo(w, a);
                    }
                }
                if (needs[2]) {
                    try (Tensor w = where(cond, zero, g)) {
                        gb = reduceTo(w, b);
                    }
                }
            }
            return new Tensor[] {null, ga, gb};
        }, cond, a, b);
    }

    /** x with {@code value} where {@code mask} (bool, broadcastable to x) is true. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("maskedFill: mask must be a bool tensor, got " + mask.describe());
        }
        Shape s = Shape.broadcast("maskedFill", x.shape(), mask.shape());
        if (!s.equals(x.shape())) {
            throw new IllegalArgumentException("maskedFill: mask of shape " + mask.shape() + " does not broadcast to the input's shape " + x.shape());
        }
        // the value is converted to x's type (2.5 into an int tensor is 2), as PyTorch's masked_fill
        try (Tensor v = Tensor.full(Shape.scalar(), value, x.dtype(), x.device())) {
            return where(mask, v, x);
        }
    }
}
