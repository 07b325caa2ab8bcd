package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.ReduceOp;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/** Reductions over dims (all dims when none are given), with keepDim as in PyTorch. */
public final class Reduction {
    private Reduction() {}

    /** Values and the indices where they occur (the result of {@code max(dim)} / {@code min(dim)}). */
    public record ValuesIndices(Tensor values, Tensor indices) implements AutoCloseable {
        @Override
        public void close() {
            values.close();
            indices.close();
        }
    }

    /** Shape of x with the reduced dims set to 1. */
    private static long[] keepDimShape(Tensor x, int[] dims) {
        long[] s = x.shape().toArray();
        for (int d : dims) {
            s[d] = 1;
        }
        return s;
    }

    /** Shape of x without the reduced dims. */
    private static long[] droppedShape(Tensor x, int[] dims) {
        long[] s = x.shape().toArray();
        long[] r = new long[s.length - dims.length];
        int j = 0;
        outer:
        for (int i = 0; i < s.length; i++) {
            for (int d : dims) {
                if (d == i) {
                    continue outer;
                }
            }
            r[j++] = s[i];
        }
        return r;
    }

    /** Runs the reduction kernel: the result has keepdim layout. */
    private static Tensor reduceKernel(String name, ReduceOp op, Tensor x, int[] dims, DType outType) {
        Backend be = OpSupport.backend(name, x);
        Tensor out = OpSupport.empty(x, Shape.of(keepDimShape(x, dims)), outType);
        be.reduce(op, x.operand(), dims, out.operand());
        return out;
    }

    /** Drops the reduced dims of a keepdim result unless keepDim. Closes {@code kept} when it makes a view. */
    private static Tensor finish(Tensor kept, Tensor x, int[] dims, boolean keepDim) {
        if (keepDim) {
            return kept;
        }
        Tensor v = kept.viewOf(Shape.of(droppedShape(x, dims)), Shape.of(droppedShape(x, dims)).contiguousStrides(), 0);
        kept.close();
        return v;
    }

    /** Gradient of a keepdim-shaped upstream gradient broadcast back to x (a view, no copy). */
    private static Tensor broadcastBack(Tensor g, Tensor x, int[] dims) {
        try (Tensor k = g.reshape(keepDimShape(x, dims))) {
            return k.expand(x.shape().toArray());
        }
    }

    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        int[] d = OpSupport.normalizeDims("sum", dims, x.rank());
        DType outType = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        Tensor out = finish(reduceKernel("sum", ReduceOp.SUM, x, d, outType), x, d, keepDim);
        return Autograd.record("SumBackward", out, (g, needs) -> new Tensor[] {broadcastBack(g, x, d)}, x);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        OpSupport.requireFloatingPoint("mean", "input", x);
        int[] d = OpSupport.normalizeDims("mean", dims, x.rank());
        long n = 1;
        for (int i : d) {
            n *= x.size(i);
        }
        double scale = 1.0 / n;
        Tensor out = finish(reduceKernel("mean", ReduceOp.SUM, x, d, x.dtype()), x, d, keepDim);
        try (Tensor s = Pointwise.scalarLike(scale, out)) {
            Pointwise.inPlace(dev.panamax.backend.BinaryOp.MUL, out, s);
        }
        return Autograd.record("MeanBackward", out, (g, needs) -> {
            try (Tensor scaled = g.mul(scale)) {
                return new Tensor[] {broadcastBack(scaled, x, d)};
            }
        }, x);
    }

    /** Product; the gradient is exact with zeros in the input (no division by zero). */
    public static Tensor prod(Tensor x, int[] dims, boolean keepDim) {
        int[] d = OpSupport.normalizeDims("prod", dims, x.rank());
        DType outType = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        Tensor out = finish(reduceKernel("prod", ReduceOp.PROD, x, d, outType), x, d, keepDim);
        return Autograd.record("ProdBackward", out, (g, needs) -> {
            // d prod / d x_i = product of the others: p / x_i without zeros; with one zero only
            // that position gets the product of the non-zeros; with two or more, all zero.
            try (Tensor isZero = x.eq(0); Tensor nonZero = isZero.logicalNot();
                 Tensor ones = Tensor.onesLike(x); Tensor safe = Pointwise.where(isZero, ones, x);
                 Tensor pNonZero = prod(safe, d, true); Tensor zeros = sum(isZero, d, true);
                 Tensor noZero = zeros.eq(0); Tensor oneZero = zeros.eq(1);
                 Tensor ratio = pNonZero.div(safe); Tensor zero = Tensor.zerosLike(ratio);
                 Tensor atNonZero = Pointwise.where(noZero, ratio, zero);
                 Tensor atZero = Pointwise.where(oneZero, pNonZero, zero);
                 Tensor partial = Pointwise.where(nonZero, atNonZero, atZero);
                 Tensor gb = broadcastBack(g, x, d)) {
                return new Tensor[] {gb.mul(partial)};
            }
        }, x);
    }

    /** Maximum of all elements; the gradient is split evenly among ties. */
    public static Tensor max(Tensor x) {
        return extreme("max", ReduceOp.MAX, x);
    }

    public static Tensor min(Tensor x) {
        return extreme("min", ReduceOp.MIN, x);
    }

    private static Tensor extreme(String name, ReduceOp op, Tensor x) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException(name + ": the input is empty " + x.describe() + "; specify a dim or use a non-empty tensor");
        }
        int[] d = OpSupport.normalizeDims(name, null, x.rank());
        Tensor out = finish(reduceKernel(name, op, x, d, x.dtype()), x, d, false);
        return Autograd.record(Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Backward", out, (g, needs) -> {
            // when the result is NaN the gradient goes to the NaN elements (NaN == NaN is false), as in PyTorch
            try (Tensor equal = x.eq(out); Tensor xNan = x.ne(x); Tensor outNan = out.ne(out); Tensor bothNan = xNan.logicalAnd(outNan);
                 Tensor hit = equal.logicalOr(bothNan); Tensor hits = hit.to(x.dtype()); Tensor count = sum(hits, null, false);
                 Tensor share = g.div(count); Tensor grad = hits.mul(share)) {
                return new Tensor[] {grad.alias()};
            }
        }, x);
    }

    public static ValuesIndices max(Tensor x, int dim, boolean keepDim) {
        return extremeAlong("max", ReduceOp.MAX, x, dim, keepDim);
    }

    public static ValuesIndices min(Tensor x, int dim, boolean keepDim) {
        return extremeAlong("min", ReduceOp.MIN, x, dim, keepDim);
    }

    private static ValuesIndices extremeAlong(String name, ReduceOp op, Tensor x, int dim, boolean keepDim) {
        Backend be = OpSupport.backend(name, x);
        int d = Shape.normalizeDim(dim, x.rank(), name);
        int[] dims = x.rank() == 0 ? new int[0] : new int[] {d};
        if (x.rank() > 0 && x.size(d) == 0) {
            throw new IllegalArgumentException(name + ": cannot reduce over dim " + dim + " of size 0 in " + x.describe());
        }
        Tensor values = OpSupport.empty(x, Shape.of(keepDimShape(x, dims)), x.dtype());
        Tensor indices = OpSupport.empty(x, values.shape(), DType.INT64);
        if (x.rank() == 0) {
            be.copy(x.operand(), values.operand());
            be.fill(indices.operand(), 0);
        } else {
            be.argReduce(op, x.operand(), d, values.operand(), indices.operand());
        }
        Tensor v = finish(values, x, dims, keepDim);
        Tensor i = finish(indices, x, dims, keepDim);
        // the graph keeps its own reference to the indices: callers often close them right away
        Tensor saved = Autograd.willRecord(x) ? i.alias() : null;
        Autograd.record(Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Backward", v, (g, needs) -> {
            try (Tensor gk = g.reshape(keepDimShape(x, dims)); Tensor ik = saved.reshape(keepDimShape(x, dims));
                 Tensor zeros = Tensor.zerosLike(x)) {
                return new Tensor[] {x.rank() == 0 ? gk.alias() : IndexOps.scatterAdd(zeros, d, ik, gk)};
            }
        }, x);
        if (saved != null) {
            v.gradFn().own(saved);
        }
        return new ValuesIndices(v, i);
    }

    public static Tensor argmax(Tensor x, int dim, boolean keepDim) {
        // under its own name, so errors (bad dim, empty dim) name argmax
        try (dev.panamax.autograd.GradMode.Guard ignored = dev.panamax.autograd.GradMode.noGrad();
             ValuesIndices r = extremeAlong("argmax", ReduceOp.MAX, x, dim, keepDim)) {
            return r.indices().alias();
        }
    }

    public static Tensor argmin(Tensor x, int dim, boolean keepDim) {
        // under its own name, so errors (bad dim, empty dim) name argmin
        try (dev.panamax.autograd.GradMode.Guard ignored = dev.panamax.autograd.GradMode.noGrad();
             ValuesIndices r = extremeAlong("argmin", ReduceOp.MIN, x, dim, keepDim)) {
            return r.indices().alias();
        }
    }

    /** Index into the flattened tensor of its maximum. */
    public static Tensor argmax(Tensor x) {
        try (Tensor flat = x.reshape(-1)) {
            return argmax(flat, 0, false);
        }
    }

    /** Variance with {@code correction} subtracted from the count (1 = Bessel's correction). */
    public static Tensor var(Tensor x, int[] dims, double correction, boolean keepDim) {
        OpSupport.requireFloatingPoint("var", "input", x);
        int[] d = OpSupport.normalizeDims("var", dims, x.rank());
        long n = 1;
        for (int i : d) {
            n *= x.size(i);
        }
        double denominator = Math.max(0, n - correction);
        try (Tensor mu = mean(x, d, true); Tensor diff = x.sub(mu); Tensor sq = diff.mul(diff);
             Tensor s = sum(sq, d, keepDim)) {
            return s.div(denominator);
        }
    }

    public static Tensor std(Tensor x, int[] dims, double correction, boolean keepDim) {
        OpSupport.requireFloatingPoint("std", "input", x);
        OpSupport.normalizeDims("std", dims, x.rank()); // so a bad dim is reported as std's
        try (Tensor v = var(x, dims, correction, keepDim)) {
            return v.sqrt();
        }
    }

    /** log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max, so it never overflows. */
    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepDim) {
        OpSupport.requireFloatingPoint("logsumexp", "input", x);
        int[] d = OpSupport.normalizeDims("logsumexp", dims, x.rank());
        Tensor m;
        try (Tensor raw = reduceKernel("logsumexp", ReduceOp.MAX, x, d, x.dtype()); Tensor magnitude = raw.abs();
             Tensor inf = magnitude.eq(Double.POSITIVE_INFINITY)) {
            m = raw.maskedFill(inf, 0); // an all -inf slice must give -inf, not NaN
        }
        try (m; Tensor shifted = x.sub(m); Tensor e = shifted.exp(); Tensor s = sum(e, d, true); Tensor l = s.log();
             Tensor r = l.add(m)) {
            return keepDim ? r.alias() : r.reshape(droppedShape(x, d));
        }
    }
}
