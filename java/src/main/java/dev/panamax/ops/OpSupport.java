package dev.panamax.ops;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/** Checks and plumbing shared by the op definitions. */
final class OpSupport {
    private OpSupport() {}

    /**
     * The backend shared by every tensor argument; throws naming the op when devices differ or an
     * argument was closed (here, before the op allocates an output that the throw would leak).
     */
    static Backend backend(String op, Tensor... tensors) {
        Tensor first = null;
        for (Tensor t : tensors) {
            if (t == null) {
                continue;
            }
            if (t.isClosed()) {
                throw new IllegalStateException(op + ": tensor " + t.describe() + " was used after close()");
            }
            if (first == null) {
                first = t;
            } else if (!t.device().equals(first.device())) {
                throw new IllegalArgumentException(op + ": expected all tensors on the same device, got " + first.device()
                        + " and " + t.device() + " (move one with .to(device))");
            }
        }
        if (first == null) {
            throw new IllegalArgumentException(op + ": no tensor arguments");
        }
        return first.backend();
    }

    static Tensor empty(Tensor like, Shape shape, DType dtype) {
        return Tensor.empty(shape, dtype, like.device());
    }

    /** The operand of {@code t} seen with shape {@code target} (broadcast dims get stride 0). */
    static Operand broadcastOperand(Tensor t, Shape target) {
        Operand op = t.operand();
        int rank = target.rank();
        int shift = rank - t.rank();
        long[] shape = target.toArray();
        long[] strides = new long[rank];
        for (int d = 0; d < rank; d++) {
            int sd = d - shift;
            if (sd >= 0 && op.shape()[sd] == shape[d]) {
                strides[d] = op.strides()[sd];
            } else if (sd >= 0 && op.shape()[sd] != 1) {
                throw new IllegalArgumentException("cannot broadcast shape " + t.shape() + " to " + target);
            }
        }
        return op.withLayout(shape, strides, op.offset());
    }

    /**
     * Sums a gradient over the dims that broadcasting added or stretched, so it has the shape of
     * the input it belongs to, in that input's dtype.
     */
    static Tensor reduceTo(Tensor grad, Tensor input) {
        Tensor g = grad;
        if (!grad.shape().equals(input.shape())) {
            int extra = grad.rank() - input.rank();
            int[] dims = new int[grad.rank()];
            int n = 0;
            for (int d = 0; d < grad.rank(); d++) {
                if (d < extra || (input.shape().size(d - extra) == 1 && grad.shape().size(d) != 1)) {
                    dims[n++] = d;
                }
            }
            try (Tensor summed = Reduction.sum(grad, Arrays.copyOf(dims, n), true)) {
                g = summed.reshape(input.shape().toArray());
            }
        }
        if (g.dtype() != input.dtype()) {
            Tensor converted = g.to(input.dtype());
            if (g != grad) {
                g.close();
            }
            return converted;
        }
        return g == grad ? grad.alias() : g;
    }

    /** Resolves dims (null or empty means all), rejecting duplicates; sorted ascending. */
    static int[] normalizeDims(String op, int[] dims, int rank) {
        if (dims == null || dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] r = new int[dims.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < dims.length; i++) {
            r[i] = Shape.normalizeDim(dims[i], rank, op);
            if (seen[r[i]]) {
                throw new IllegalArgumentException(op + ": dim " + dims[i] + " appears more than once in " + Arrays.toString(dims));
            }
            seen[r[i]] = true;
        }
        if (rank == 0) {
            return new int[0];
        }
        Arrays.sort(r);
        return r;
    }

    static void requireFloatingPoint(String op, String arg, Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": " + arg + " must be a floating-point tensor, got " + t.describe());
        }
    }

    static void requireIntegral(String op, String arg, Tensor t) {
        if (!t.dtype().isIntegral() || t.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + ": " + arg + " must be an integer tensor (int32 or int64), got " + t.describe());
        }
    }

    /** Fails when a backward rule that runs a fused kernel is asked to build a graph (higher-order gradients). */
    static void noHigherOrder(String op) {
        if (dev.panamax.autograd.GradMode.isEnabled()) {
            throw new UnsupportedOperationException(op + ": higher-order gradients (createGraph) are not supported through this op");
        }
    }

    /**
     * Gives tensors an op made for its backward (contiguous copies, masks) to the node just
     * recorded on {@code out}, which frees them with the graph; closes them when nothing was
     * recorded. Returns {@code out}.
     */
    static Tensor saveForBackward(Tensor out, Tensor... temporaries) {
        for (Tensor t : temporaries) {
            if (out.gradFn() != null) {
                out.gradFn().own(t);
            } else {
                t.close();
            }
        }
        return out;
    }
}
