package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.backend.ReduceOp;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/** Gathering and scattering by integer indices; every index is range-checked before a kernel runs. */
public final class IndexOps {
    private IndexOps() {}

    /**
     * Throws naming the op when an index lies outside [0, size). Runs two small reductions, so
     * the check works the same on every backend.
     */
    static void checkRange(String op, Tensor index, long size, int dim) {
        OpSupport.requireIntegral(op, "index", index);
        if (index.numel() == 0) {
            return;
        }
        Backend be = index.backend();
        try (GradMode.Guard ignored = GradMode.noGrad();
             Tensor lo = Tensor.empty(Shape.scalar(), DType.INT64, index.device());
             Tensor hi = Tensor.empty(Shape.scalar(), DType.INT64, index.device())) {
            int[] all = new int[index.rank()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            try (Tensor loK = lo.viewOf(Shape.of(ones(index.rank())), new long[index.rank()], 0);
                 Tensor hiK = hi.viewOf(Shape.of(ones(index.rank())), new long[index.rank()], 0)) {
                be.reduce(ReduceOp.MIN, index.operand(), all, loK.operand());
                be.reduce(ReduceOp.MAX, index.operand(), all, hiK.operand());
            }
            long min = lo.toLongArray()[0]; // exact: item() goes through a double
            long max = hi.toLongArray()[0];
            if (min < 0 || max >= size) {
                long bad = min < 0 ? min : max;
                throw new IndexOutOfBoundsException(op + ": index " + bad + " is out of bounds for dim " + dim + " with size " + size);
            }
        }
    }

    private static long[] ones(int n) {
        long[] r = new long[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }

    /** Rows (or slices along dim) of x picked by a 1-D index. */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        Backend be = OpSupport.backend("indexSelect", x, index);
        int d = Shape.normalizeDim(dim, x.rank(), "indexSelect");
        if (index.rank() > 1) {
            throw new IllegalArgumentException("indexSelect: index must be 0-D or 1-D, got shape " + index.shape());
        }
        long size = x.rank() == 0 ? 1 : x.size(d);
        checkRange("indexSelect", index, size, dim);
        if (x.rank() == 0 && index.numel() != 1) {
            throw new IllegalArgumentException("indexSelect: an index into a 0-dim tensor can have only 1 value, got " + index.numel());
        }
        try (Tensor idx = index.reshape(-1)) {
            long[] shape = x.shape().toArray();
            if (x.rank() > 0) {
                shape[d] = idx.numel();
            }
            Tensor out = OpSupport.empty(x, Shape.of(shape), x.dtype());
            if (x.rank() == 0) {
                be.copy(x.operand(), out.operand());
            } else {
                be.indexSelect(x.operand(), d, idx.operand(), out.operand());
            }
            Tensor saved = Autograd.willRecord(x) ? idx.alias() : null;
            Autograd.record("IndexSelectBackward", out, (g, needs) -> {
                OpSupport.noHigherOrder("IndexSelectBackward");
                if (x.rank() == 0) {
                    return new Tensor[] {g, null}; // the output was x itself (indexAdd needs a dim)
                }
                Tensor gx = Tensor.zerosLike(x);
                be.indexAdd(gx.operand(), d, saved.operand(), g.operand());
                return new Tensor[] {gx, null};
            }, x, index);
            if (saved != null) {
                out.gradFn().own(saved);
            }
            return out;
        }
    }

    /** out[i][j] = x[i][index[i][j]] (dim 1); index has x's rank and fits inside x in the other dims. */
    public static Tensor gather(Tensor x, int dim, Tensor index) {
        Backend be = OpSupport.backend("gather", x, index);
        int d = Shape.normalizeDim(dim, x.rank(), "gather");
        checkSameRankAndFits("gather", x, d, index, "index");
        if (x.rank() == 0) {
            // 0-d input and index (as PyTorch allows): seen as one-element vectors, since the kernel needs a dim
            try (Tensor x1 = x.unsqueeze(0); Tensor i1 = index.unsqueeze(0); Tensor r = gather(x1, 0, i1)) {
                return r.squeeze(0);
            }
        }
        checkRange("gather", index, x.size(d), dim);
        Tensor out = OpSupport.empty(x, index.shape(), x.dtype());
        be.gather(x.operand(), d, index.operand(), out.operand());
        return Autograd.record("GatherBackward", out, (g, needs) -> {
            try (Tensor zeros = Tensor.zerosLike(x)) {
                return new Tensor[] {scatterAdd(zeros, d, index, g), null};
            }
        }, x, index);
    }

    /** A copy of x with src added at the indexed positions: out[i][index[i][j]] += src[i][j] (dim 1). */
    public static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        Backend be = OpSupport.backend("scatterAdd", x, index, src);
        int d = Shape.normalizeDim(dim, x.rank(), "scatterAdd");
        checkSameRankAndFits("scatterAdd", x, d, index, "index");
        if (src.rank() != index.rank()) {
            throw new IllegalArgumentException("scatterAdd: src must have the rank of index, got src " + src.shape() + " and index " + index.shape());
        }
        for (int k = 0; k < index.rank(); k++) {
            if (index.size(k) > src.size(k)) {
                throw new IllegalArgumentException("scatterAdd: index " + index.shape() + " is larger than src " + src.shape() + " in dim " + k);
            }
        }
        if (x.rank() == 0) {
            // 0-d input, index and src: seen as one-element vectors, since the kernel needs a dim
            try (Tensor x1 = x.unsqueeze(0); Tensor i1 = index.unsqueeze(0); Tensor s1 = src.unsqueeze(0);
                 Tensor r = scatterAdd(x1, 0, i1, s1)) {
                return r.squeeze(0);
            }
        }
        checkRange("scatterAdd", index, x.size(d), dim);
        Tensor out = OpSupport.empty(x, x.shape(), x.dtype());
        be.copy(x.operand(), out.operand());
        be.scatterAdd(out.operand(), d, index.operand(), src.operand());
        return Autograd.record("ScatterAddBackward", out, (g, needs) -> {
            Tensor gSrc = null;
            if (needs[2]) {
                try (Tensor picked = gather(g, d, index)) {
                    gSrc = src.shape().equals(index.shape()) ? picked.alias() : padTo(picked, src);
                }
            }
            return new Tensor[] {needs[0] ? g : null, null, gSrc};
        }, x, index, src);
    }

    /** Zeros of src's shape with {@code part} in its leading corner. */
    private static Tensor padTo(Tensor part, Tensor src) {
        Tensor full = Tensor.zerosLike(src);
        try (Tensor corner = full.viewOf(part.shape(), full.strides(), 0)) {
            corner.backend().copy(part.operand(), corner.operand());
        }
        return full;
    }

    private static void checkSameRankAndFits(String op, Tensor x, int d, Tensor index, String name) {
        if (index.rank() != x.rank()) {
            throw new IllegalArgumentException(op + ": " + name + " must have the input's rank " + x.rank() + ", got shape " + index.shape()
                    + " for input " + x.shape());
        }
        for (int k = 0; k < x.rank(); k++) {
            if (k != d && index.size(k) > x.size(k)) {
                throw new IllegalArgumentException(op + ": " + name + " " + index.shape() + " is larger than the input " + x.shape()
                        + " in dim " + k);
            }
        }
    }

    /** One-hot rows of length numClasses for an integer tensor (INT64 result, shape + [numClasses]). */
    public static Tensor oneHot(Tensor labels, int numClasses) {
        OpSupport.requireIntegral("oneHot", "labels", labels);
        if (numClasses <= 0) {
            throw new IllegalArgumentException("oneHot: numClasses must be positive, got " + numClasses);
        }
        checkRange("oneHot", labels, numClasses, -1);
        long[] shape = java.util.Arrays.copyOf(labels.shape().toArray(), labels.rank() + 1);
        shape[labels.rank()] = numClasses;
        try (Tensor idx = labels.unsqueeze(-1); Tensor zeros = Tensor.full(Shape.of(shape), 0, DType.INT64, labels.device());
             Tensor one = Tensor.full(idx.shape(), 1, DType.INT64, labels.device())) {
            return scatterAdd(zeros, -1, idx, one);
        }
    }
}
