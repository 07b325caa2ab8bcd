package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Views (no copy: reshape/view, permute, narrow/slice, expand, squeeze/unsqueeze, flatten),
 * copies and conversions, and joining and splitting.
 */
public final class ShapeOps {
    private ShapeOps() {}

    /** A differentiable view: the gradient flows back through {@code backward}. */
    private static Tensor view(String name, Tensor x, Shape shape, long[] strides, long offset,
                               java.util.function.Function<Tensor, Tensor> backward) {
        Tensor v = x.viewOf(shape, strides, offset);
        return Autograd.record(name, v, (g, needs) -> new Tensor[] {backward.apply(g)}, x);
    }

    /** Resolves one -1 in a requested shape against numel. */
    private static Shape inferShape(String op, Tensor x, long[] requested) {
        long[] s = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException(op + ": only one dim can be -1, got " + Arrays.toString(requested));
                }
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + s[i] + " in " + Arrays.toString(requested));
            } else {
                known *= s[i];
            }
        }
        long n = x.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(requested) + " is invalid for input of size " + n);
            }
            s[infer] = n / known;
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(requested) + " is invalid for input of size " + n
                    + " (shape " + x.shape() + ")");
        }
        return Shape.of(s);
    }

    /**
     * Strides that let {@code shape} view memory laid out as (oldShape, oldStrides), or null when
     * no view exists (PyTorch's computeStride).
     */
    private static long[] viewStrides(long[] oldShape, long[] oldStrides, long[] shape) {
        long[] strides = new long[shape.length];
        if (oldShape.length == 0) {
            Arrays.fill(strides, 1);
            return strides;
        }
        if (Arrays.stream(oldShape).reduce(1, (a, b) -> a * b) == 0) {
            return Shape.of(shape).contiguousStrides();
        }
        int viewD = shape.length - 1;
        long chunkBase = oldStrides.length == 0 ? 1 : oldStrides[oldStrides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            if (d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] == 1)) {
                    strides[viewD] = viewNumel * chunkBase;
                    viewNumel *= shape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? strides : null;
    }

    public static Tensor view(Tensor x, long... shape) {
        Shape s = inferShape("view", x, shape);
        long[] strides = viewStrides(x.shape().toArray(), x.strides(), s.toArray());
        if (strides == null) {
            throw new IllegalArgumentException("view: shape " + s + " is not compatible with the input's shape " + x.shape()
                    + " and strides " + Arrays.toString(x.strides()) + "; use reshape() (which copies)");
        }
        long[] back = x.shape().toArray();
        return view("ViewBackward", x, s, strides, x.storageOffset(), g -> g.reshape(back));
    }

    public static Tensor reshape(Tensor x, long... shape) {
        Shape s = inferShape("reshape", x, shape);
        if (viewStrides(x.shape().toArray(), x.strides(), s.toArray()) != null) {
            return view(x, s.toArray());
        }
        try (Tensor c = copy(x)) {
            return view(c, s.toArray());
        }
    }

    public static Tensor permute(Tensor x, int... dims) {
        int r = x.rank();
        if (dims.length != r) {
            throw new IllegalArgumentException("permute: " + dims.length + " dims given for a tensor of rank " + r);
        }
        int[] p = new int[r];
        int[] inverse = new int[r];
        boolean[] seen = new boolean[r];
        long[] shape = new long[r];
        long[] strides = new long[r];
        for (int i = 0; i < r; i++) {
            p[i] = Shape.normalizeDim(dims[i], r, "permute");
            if (seen[p[i]]) {
                throw new IllegalArgumentException("permute: dim " + dims[i] + " repeats in " + Arrays.toString(dims));
            }
            seen[p[i]] = true;
            inverse[p[i]] = i;
            shape[i] = x.size(p[i]);
            strides[i] = x.strides()[p[i]];
        }
        return view("PermuteBackward", x, Shape.of(shape), strides, x.storageOffset(), g -> g.permute(inverse));
    }

    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int r = x.rank();
        if (r == 0) {
            return view("TransposeBackward", x, x.shape(), x.strides(), x.storageOffset(), g -> g);
        }
        int a = Shape.normalizeDim(dim0, r, "transpose");
        int b = Shape.normalizeDim(dim1, r, "transpose");
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = i;
        }
        p[a] = b;
        p[b] = a;
        return permute(x, p);
    }

    public static Tensor t(Tensor x) {
        if (x.rank() > 2) {
            throw new IllegalArgumentException("t: expects a tensor of at most 2 dims, got " + x.shape() + "; use transpose(dim0, dim1)");
        }
        return x.rank() < 2 ? transpose(x, 0, 0) : transpose(x, 0, 1);
    }

    public static Tensor narrow(Tensor x, int dim, long start, long length) {
        requireDims("narrow", x);
        int d = Shape.normalizeDim(dim, x.rank(), "narrow");
        long size = x.size(d);
        long s = start < 0 ? start + size : start;
        if (s < 0 || length < 0 || s + length > size) {
            throw new IllegalArgumentException("narrow: start " + start + " + length " + length + " exceeds dim " + dim
                    + " of size " + size + " in " + x.describe());
        }
        return slice(x, d, s, s + length, 1);
    }

    /** Python slicing semantics: negative bounds count from the end, out-of-range bounds are clipped. */
    public static Tensor slice(Tensor x, int dim, long start, long end, long step) {
        requireDims("slice", x);
        int d = Shape.normalizeDim(dim, x.rank(), "slice");
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        long size = x.size(d);
        long s = Math.min(Math.max(start < 0 ? start + size : start, 0), size);
        long e = Math.min(Math.max(end < 0 ? end + size : end, s), size);
        // (e - s + step - 1) / step overflowed for a huge step (x[1:10:Long.MAX_VALUE] had 0 elements, not 1)
        long length = e == s ? 0 : (e - s - 1) / step + 1;
        // with at most one element the step never applies; using 1 keeps stride * step from overflowing
        long effectiveStep = length > 1 ? step : 1;
        long[] shape = x.shape().toArray();
        long[] strides = x.strides();
        long offset = x.storageOffset() + s * strides[d];
        shape[d] = length;
        strides[d] *= effectiveStep;
        Shape inShape = x.shape();
        DType dtype = x.dtype();
        return view("SliceBackward", x, Shape.of(shape), strides, offset, g -> {
            Tensor full = Tensor.full(inShape, 0, dtype, g.device());
            try (Tensor region = full.viewOf(g.shape(), sliceStrides(full, d, effectiveStep), s * full.strides()[d])) {
                region.backend().copy(g.operand(), region.operand());
            }
            return full;
        });
    }

    private static long[] sliceStrides(Tensor full, int d, long step) {
        long[] st = full.strides();
        st[d] *= step;
        return st;
    }

    /** Ops that pick along a dim: a 0-d tensor has none (Shape.normalizeDim accepts dim 0 of a 0-d tensor). */
    private static void requireDims(String op, Tensor x) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException(op + ": cannot be applied to a 0-dim tensor " + x.describe());
        }
    }

    public static Tensor select(Tensor x, int dim, long index) {
        requireDims("select", x);
        int d = Shape.normalizeDim(dim, x.rank(), "select");
        long size = x.size(d);
        long i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dim " + dim + " of size " + size);
        }
        try (Tensor n = slice(x, d, i, i + 1, 1)) {
            return squeeze(n, d);
        }
    }

    /** Broadcasts to {@code sizes} (-1 keeps a size; new dims go in front) as a stride-0 view. */
    public static Tensor expand(Tensor x, long... sizes) {
        if (sizes.length < x.rank()) {
            throw new IllegalArgumentException("expand: the number of sizes (" + sizes.length + ") must be at least the rank of "
                    + x.describe());
        }
        long[] shape = sizes.clone();
        int shift = sizes.length - x.rank();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (d < shift) {
                    throw new IllegalArgumentException("expand: -1 is not allowed for the new leading dim " + d);
                }
                shape[d] = x.size(d - shift);
            }
        }
        Shape target = Shape.of(shape);
        if (target.equals(x.shape())) {
            return view("ExpandBackward", x, x.shape(), x.strides(), x.storageOffset(), g -> g);
        }
        Operand op;
        try {
            op = OpSupport.broadcastOperand(x, target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expand: " + e.getMessage() + " (only size-1 dims can be expanded)");
        }
        return view("ExpandBackward", x, target, op.strides(), op.offset(), g -> OpSupport.reduceTo(g, x));
    }

    public static Tensor squeeze(Tensor x) {
        long[] shape = Arrays.stream(x.shape().toArray()).filter(s -> s != 1).toArray();
        return reshapeView("SqueezeBackward", x, shape);
    }

    /** Removes {@code dim} if its size is 1 (else returns a view of x unchanged, as PyTorch). */
    public static Tensor squeeze(Tensor x, int dim) {
        if (x.rank() == 0) {
            return reshapeView("SqueezeBackward", x, new long[0]);
        }
        int d = Shape.normalizeDim(dim, x.rank(), "squeeze");
        if (x.size(d) != 1) {
            return reshapeView("SqueezeBackward", x, x.shape().toArray());
        }
        long[] shape = new long[x.rank() - 1];
        for (int i = 0, j = 0; i < x.rank(); i++) {
            if (i != d) {
                shape[j++] = x.size(i);
            }
        }
        return reshapeView("SqueezeBackward", x, shape);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shape.normalizeDim(dim, x.rank() + 1, "unsqueeze");
        long[] shape = new long[x.rank() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            shape[i] = i == d ? 1 : x.size(j++);
        }
        return reshapeView("UnsqueezeBackward", x, shape);
    }

    private static Tensor reshapeView(String name, Tensor x, long[] shape) {
        long[] strides = viewStrides(x.shape().toArray(), x.strides(), shape);
        long[] back = x.shape().toArray();
        return view(name, x, Shape.of(shape), strides, x.storageOffset(), g -> g.reshape(back));
    }

    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        if (x.rank() == 0) {
            return reshape(x, 1);
        }
        int s = Shape.normalizeDim(startDim, x.rank(), "flatten");
        int e = Shape.normalizeDim(endDim, x.rank(), "flatten");
        if (s > e) {
            throw new IllegalArgumentException("flatten: startDim " + startDim + " comes after endDim " + endDim);
        }
        long[] shape = new long[x.rank() - (e - s)];
        long merged = 1;
        for (int i = s; i <= e; i++) {
            merged *= x.size(i);
        }
        for (int i = 0, j = 0; i < x.rank(); i++) {
            if (i < s || i > e) {
                shape[j++] = x.size(i);
            } else if (i == s) {
                shape[j++] = merged;
            }
        }
        return reshape(x, shape);
    }

    /** The same elements as a new tensor object; an identity op in the graph. */
    public static Tensor alias(Tensor x) {
        return view("AliasBackward", x, x.shape(), x.strides(), x.storageOffset(), g -> g);
    }

    public static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? view("ContiguousBackward", x, x.shape(), x.strides(), x.storageOffset(), g -> g) : copy(x);
    }

    /** A new contiguous copy (differentiable). */
    public static Tensor copy(Tensor x) {
        Tensor out = convert(x, x.dtype());
        return Autograd.record("CopyBackward", out, (g, needs) -> new Tensor[] {g}, x);
    }

    /** Converts the element type; gradients flow between floating types. */
    public static Tensor to(Tensor x, DType dtype) {
        if (dtype == x.dtype()) {
            return view("ToCopyBackward", x, x.shape(), x.strides(), x.storageOffset(), g -> g);
        }
        Tensor out = convert(x, dtype);
        if (!dtype.isFloatingPoint()) {
            return out;
        }
        DType back = x.dtype();
        return Autograd.record("ToCopyBackward", out, (g, needs) -> new Tensor[] {convert(g, back)}, x);
    }

    /** A contiguous copy in another dtype, outside autograd. */
    public static Tensor convert(Tensor x, DType dtype) {
        Backend be = OpSupport.backend("to", x);
        Tensor out = OpSupport.empty(x, x.shape(), dtype);
        be.copy(x.operand(), out.operand());
        return out;
    }

    /** Concatenates along an existing dim; all other sizes must match. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        }
        Tensor first = tensors.get(0);
        for (int i = 0; i < tensors.size(); i++) {
            if (tensors.get(i).rank() == 0) {
                throw new IllegalArgumentException("cat: zero-dimensional tensor " + i + " cannot be concatenated; use stack");
            }
        }
        int d = Shape.normalizeDim(dim, first.rank(), "cat");
        Backend be = OpSupport.backend("cat", tensors.toArray(Tensor[]::new));
        long total = 0;
        DType type = first.dtype();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.rank() != first.rank()) {
                throw new IllegalArgumentException("cat: tensor " + i + " has rank " + t.rank() + " but tensor 0 has rank " + first.rank());
            }
            for (int k = 0; k < t.rank(); k++) {
                if (k != d && t.size(k) != first.size(k)) {
                    throw new IllegalArgumentException("cat: sizes must match except in dim " + dim + ", but tensor " + i
                            + " has shape " + t.shape() + " and tensor 0 has shape " + first.shape());
                }
            }
            total += t.size(d);
            type = DType.promote(type, t.dtype());
        }
        long[] shape = first.shape().toArray();
        shape[d] = total;
        Tensor out = OpSupport.empty(first, Shape.of(shape), type);
        long[] starts = new long[tensors.size()];
        long at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            starts[i] = at;
            Operand o = out.operand();
            long[] partShape = t.shape().toArray();
            be.copy(t.operand(), o.withLayout(partShape, o.strides(), o.offset() + at * o.strides()[d]));
            at += t.size(d);
        }
        Tensor[] inputs = tensors.toArray(Tensor[]::new);
        return Autograd.record("CatBackward", out, (g, needs) -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (needs[i]) {
                    try (Tensor part = g.narrow(d, starts[i], inputs[i].size(d))) {
                        grads[i] = OpSupport.reduceTo(part, inputs[i]);
                    }
                }
            }
            return grads;
        }, inputs);
    }

    /** Joins along a new dim; all shapes must be equal. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        }
        Shape s = tensors.get(0).shape();
        int d = Shape.normalizeDim(dim, s.rank() + 1, "stack");
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        try {
            for (int i = 0; i < tensors.size(); i++) {
                if (!tensors.get(i).shape().equals(s)) {
                    throw new IllegalArgumentException("stack: all tensors must have the same shape, but tensor " + i + " has "
                            + tensors.get(i).shape() + " and tensor 0 has " + s);
                }
                expanded.add(unsqueeze(tensors.get(i), d));
            }
            return cat(expanded, d);
        } finally {
            expanded.forEach(Tensor::close);
        }
    }

    /** Views of consecutive pieces of {@code splitSize} along dim (the last may be smaller). */
    public static List<Tensor> split(Tensor x, long splitSize, int dim) {
        requireDims("split", x);
        int d = Shape.normalizeDim(dim, x.rank(), "split");
        if (splitSize <= 0) {
            throw new IllegalArgumentException("split: splitSize must be positive, got " + splitSize);
        }
        List<Tensor> parts = new ArrayList<>();
        long size = x.size(d);
        for (long s = 0; s < size || (size == 0 && parts.isEmpty()); s += splitSize) {
            parts.add(narrow(x, d, s, Math.min(splitSize, size - s)));
        }
        return parts;
    }

    /** At most {@code chunks} pieces of equal size (the last may be smaller), as torch.chunk. */
    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
        }
        requireDims("chunk", x);
        int d = Shape.normalizeDim(dim, x.rank(), "chunk");
        long size = x.size(d);
        return split(x, Math.max(1, (size + chunks - 1) / chunks), d);
    }
}
