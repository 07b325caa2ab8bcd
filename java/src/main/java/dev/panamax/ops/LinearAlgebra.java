package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Operand;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/** Matrix products. Transposed and strided operands go to the GEMM as they are, without copies. */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * {@code torch.matmul}: dot product for two vectors, matrix-vector and vector-matrix
     * products, matrix product, and batched products with broadcast batch dims.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least one dim, got shapes " + a.shape() + " and " + b.shape());
        }
        if (a.rank() >= 2 && b.rank() >= 2) {
            return batched(a, b);
        }
        long bInner = b.rank() == 1 ? b.size(0) : b.size(-2);
        if (a.size(-1) != bInner) {
            // checked here so the message shows the caller's shapes, not the 1-row / 1-column matrices below
            throw new IllegalArgumentException("matmul: shapes " + a.shape() + " and " + b.shape() + " cannot be multiplied ("
                    + a.size(-1) + " elements in the last dim of the first vs " + bInner + " in " + (b.rank() == 1 ? "the" : "dim -2 of the")
                    + " second)");
        }
        // vectors become 1-row / 1-column matrices, and the added dim is removed again
        try (Tensor a2 = a.rank() == 1 ? a.unsqueeze(0) : a.alias();
             Tensor b2 = b.rank() == 1 ? b.unsqueeze(-1) : b.alias();
             Tensor p = batched(a2, b2)) {
            Tensor r = b.rank() == 1 ? p.squeeze(-1) : p.alias();
            if (a.rank() == 1) {
                try (r) {
                    return r.squeeze(b.rank() == 1 ? -1 : -2);
                }
            }
            return r;
        }
    }

    /** x @ weight^T + bias, as {@code torch.nn.functional.linear}; bias may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        OpSupport.requireFloatingPoint("linear", "input", x);
        OpSupport.requireFloatingPoint("linear", "weight", weight);
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("linear: weight must be 2-D [out_features, in_features], got " + weight.shape());
        }
        if (x.rank() == 0 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input's last dim must equal in_features " + weight.size(1)
                    + ", got input " + x.shape() + " and weight " + weight.shape());
        }
        if (bias != null && (bias.rank() != 1 || bias.size(0) != weight.size(0))) {
            throw new IllegalArgumentException("linear: bias must be 1-D of size out_features " + weight.size(0) + ", got " + bias.shape());
        }
        try (Tensor wt = weight.t(); Tensor y = matmul(x, wt)) {
            return bias == null ? y.alias() : y.add(bias);
        }
    }

    /** Both operands at least 2-D: [..., M, K] @ [..., K, N] with broadcast batch dims. */
    private static Tensor batched(Tensor a, Tensor b) {
        Backend be = OpSupport.backend("matmul", a, b);
        long m = a.size(-2);
        long k = a.size(-1);
        long n = b.size(-1);
        if (b.size(-2) != k) {
            throw new IllegalArgumentException("matmul: shapes " + a.shape() + " and " + b.shape()
                    + " cannot be multiplied (" + m + "x" + k + " and " + b.size(-2) + "x" + n + ")");
        }
        if (!a.dtype().isFloatingPoint() || a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("matmul: expected two float32 or two float64 tensors, got "
                    + a.dtype().pyName() + " and " + b.dtype().pyName());
        }
        long[] aBatch = Arrays.copyOf(a.shape().toArray(), a.rank() - 2);
        long[] bBatch = Arrays.copyOf(b.shape().toArray(), b.rank() - 2);
        Shape batch = Shape.broadcast("matmul (batch dims)", Shape.of(aBatch), Shape.of(bBatch));
        long[] outShape = Arrays.copyOf(batch.toArray(), batch.rank() + 2);
        outShape[batch.rank()] = m;
        outShape[batch.rank() + 1] = n;
        Tensor out = OpSupport.empty(a, Shape.of(outShape), a.dtype());
        long count = batch.numel();
        try (Tensor a3 = asBatch3d(a, batch, m, k); Tensor b3 = asBatch3d(b, batch, k, n)) {
            Operand o = out.operand();
            be.matmul(a3.operand(), b3.operand(), o.withLayout(new long[] {count, m, n}, new long[] {m * n, n, 1}, o.offset()));
        }
        return Autograd.record("MmBackward", out, (g, needs) -> {
            Tensor ga = null;
            Tensor gb = null;
            if (needs[0]) {
                try (Tensor bt = b.transpose(-1, -2); Tensor full = inLayoutOf(a, g, bt)) {
                    ga = OpSupport.reduceTo(full, a);
                }
            }
            if (needs[1]) {
                try (Tensor at = a.transpose(-1, -2); Tensor full = inLayoutOf(b, at, g)) {
                    gb = OpSupport.reduceTo(full, b);
                }
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    /**
     * left · right, the gradient of {@code operand}: computed as (rightᵀ · leftᵀ)ᵀ when the operand is a transposed
     * dense tensor (linear's weight.t()), so that it has the operand's layout, as PyTorch's mm_mat2_backward does: the
     * transpose's backward then hands the parameter a contiguous gradient, with no strided copy.
     */
    private static Tensor inLayoutOf(Tensor operand, Tensor left, Tensor right) {
        if (!transposedDense(operand)) {
            return batched(left, right);
        }
        try (Tensor rt = right.transpose(-1, -2); Tensor lt = left.transpose(-1, -2); Tensor p = batched(rt, lt)) {
            return p.transpose(-1, -2);
        }
    }

    /** Whether t's last two dims are swapped from a contiguous layout (t = c.transpose(-1, -2), c contiguous). */
    private static boolean transposedDense(Tensor t) {
        if (t.rank() < 2 || t.isContiguous()) {
            return false;
        }
        Operand o = t.operand();
        long[] shape = o.shape().clone();
        long[] strides = o.strides().clone();
        swapLastTwo(shape);
        swapLastTwo(strides);
        return o.withLayout(shape, strides, o.offset()).isContiguous();
    }

    private static void swapLastTwo(long[] a) {
        long last = a[a.length - 1];
        a[a.length - 1] = a[a.length - 2];
        a[a.length - 2] = last;
    }

    /**
     * t broadcast to batch + [rows, cols], seen as [batch count, rows, cols]. A view when the batch
     * dims collapse to one stride (always for contiguous or broadcast-from-2-D inputs), else a copy.
     */
    private static Tensor asBatch3d(Tensor t, Shape batch, long rows, long cols) {
        long[] full = Arrays.copyOf(batch.toArray(), batch.rank() + 2);
        full[batch.rank()] = rows;
        full[batch.rank() + 1] = cols;
        Operand op = OpSupport.broadcastOperand(t, Shape.of(full));
        long batchStride = collapsedStride(op.shape(), op.strides(), batch.rank());
        if (batchStride >= 0) {
            int r = batch.rank();
            return t.viewOf(Shape.of(batch.numel(), rows, cols), new long[] {batchStride, op.strides()[r], op.strides()[r + 1]}, op.offset());
        }
        try (Tensor expanded = t.viewOf(Shape.of(full), op.strides(), op.offset()); Tensor dense = expanded.contiguousCopy()) {
            return dense.viewOf(Shape.of(batch.numel(), rows, cols), new long[] {rows * cols, cols, 1}, 0);
        }
    }

    /** The single stride that walks the first {@code dims} dims in order, or -1 if there is none. */
    private static long collapsedStride(long[] shape, long[] strides, int dims) {
        long stride = 0;
        boolean set = false;
        for (int d = dims - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (!set) {
                stride = strides[d];
                set = true;
                continue;
            }
            // dim d must step over exactly the inner dims' span
            long inner = 1;
            for (int e = d + 1; e < dims; e++) {
                inner *= shape[e];
            }
            if (strides[d] != stride * inner) {
                return -1;
            }
        }
        return stride;
    }
}
