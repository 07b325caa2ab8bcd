package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * Scaled dot-product attention, as {@code torch.nn.functional.scaled_dot_product_attention}.
 *
 * <p>Float32 attention without an explicit mask, dropout or returned weights (the common case:
 * plain or causal self-attention in training and inference) runs fused: {@link
 * Backend#attention} never stores the [L, S] weights (the CPU kernel walks key blocks with an
 * online softmax, so memory stays linear in the sequence length), and its backward recomputes
 * them block by block from each row's saved log-sum-exp. Masks, dropout, float64 and the
 * weights-returning form are composed of differentiable ops (matmul, where, softmax, dropout),
 * with the same semantics. The fused form has no second derivative.
 *
 * <p><b>Fully masked rows.</b> A query row whose every key is masked out (all false in a bool
 * mask, all -inf after adding a float mask) gives attention weights of zero, so its output row is
 * zero and no gradient flows through it. This is what PyTorch's {@code
 * scaled_dot_product_attention} does since 2.5 (its "safe softmax"); a plain softmax would give
 * NaN.
 */
public final class Attention {
    private Attention() {}

    /**
     * The attention output and, when asked for, the attention weights (after masking, softmax and
     * dropout): [..., L, Ev] and [..., L, S]. Closing it closes both.
     */
    public record Result(Tensor output, Tensor weights) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            if (weights != null) {
                weights.close();
            }
        }
    }

    /** Attention without mask, dropout or causality, scaled by 1/√E. */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value) {
        return scaledDotProductAttention(query, key, value, null, 0, false, null, null);
    }

    /**
     * softmax(query·keyᵀ·scale + mask)·value, with PyTorch's semantics.
     *
     * @param query     [..., L, E]
     * @param key       [..., S, E]
     * @param value     [..., S, Ev]; the batch dims ("...") of the three broadcast together
     * @param attnMask  null, or broadcastable to the weights' shape [..., L, S]: a bool mask
     *                  (true = the key takes part in the query's attention) or a float mask of
     *                  the query's dtype, added to the scores (-inf excludes)
     * @param dropoutP  probability of zeroing each attention weight (the kept ones scaled by
     *                  1/(1-p)); applied whenever it is positive, as PyTorch's functional form
     *                  does: pass 0 outside training
     * @param isCausal  restricts query i to keys j &le; i (the top-left aligned lower triangle of
     *                  [L, S], as PyTorch); attnMask must then be null
     * @param scale     the factor on the scores; null for 1/√E
     * @param generator source of the dropout masks; null for the global generator
     * @return [..., L, Ev]; a fully masked query row gives zeros (see the class comment)
     */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor attnMask, double dropoutP,
                                                   boolean isCausal, Double scale, Generator generator) {
        return compute("scaledDotProductAttention", query, key, value, attnMask, dropoutP, isCausal, scale, generator, false).output();
    }

    /**
     * {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, double, boolean, Double, Generator)}
     * that also returns the attention weights [..., L, S] (after dropout, as PyTorch's
     * MultiheadAttention returns them); both are part of the graph.
     */
    public static Result scaledDotProductAttentionWithWeights(Tensor query, Tensor key, Tensor value, Tensor attnMask, double dropoutP,
                                                              boolean isCausal, Double scale, Generator generator) {
        return compute("scaledDotProductAttention", query, key, value, attnMask, dropoutP, isCausal, scale, generator, true);
    }

    /** The [rows, cols] bool mask of {@code isCausal}: true where col &le; row (top-left aligned). */
    public static Tensor causalMask(long rows, long cols, Device device) {
        try (Tensor r = Tensor.arange(rows); Tensor c = Tensor.arange(cols); Tensor rc = r.unsqueeze(1); Tensor cr = c.unsqueeze(0);
             Tensor m = Pointwise.compare(BinaryOp.LE, cr, rc)) {
            return m.to(device);
        }
    }

    private static Result compute(String op, Tensor q, Tensor k, Tensor v, Tensor mask, double dropoutP, boolean isCausal,
                                  Double scale, Generator generator, boolean withWeights) {
        Shape weightsShape = check(op, q, k, v, mask, dropoutP, isCausal, scale);
        double s = scale != null ? scale : 1 / Math.sqrt(q.size(-1));
        if (!withWeights && mask == null && dropoutP == 0 && q.dtype() == DType.FLOAT32
                && batchDims(q).equals(batchDims(k)) && batchDims(k).equals(batchDims(v))
                && OpSupport.backend(op, q, k, v).fusesAttention(q.size(-1), v.size(-1))) {
            return new Result(fused(op, q, k, v, isCausal, s), null);
        }
        // intermediates are closed as soon as the next op has used them; the graph keeps what backward needs
        Tensor scores;
        try (Tensor kt = k.transpose(-2, -1); Tensor raw = q.matmul(kt)) {
            scores = raw.mul(s);
        }
        if (!scores.shape().equals(weightsShape)) {
            // value's batch dims may be wider than those of query and key
            scores = then(scores, scores.expand(weightsShape.toArray()));
        }
        if (isCausal) {
            try (Tensor allowed = causalMask(q.size(-2), k.size(-2), q.device()); Tensor banned = allowed.logicalNot()) {
                scores = then(scores, scores.maskedFill(banned, Double.NEGATIVE_INFINITY));
            }
        } else if (mask != null && mask.dtype() == DType.BOOL) {
            try (Tensor banned = mask.logicalNot()) {
                scores = then(scores, scores.maskedFill(banned, Double.NEGATIVE_INFINITY));
            }
        } else if (mask != null) {
            scores = then(scores, scores.add(mask));
        }
        Tensor weights;
        try (Tensor sc = scores) {
            if ((mask != null || isCausal) && sc.size(-1) > 0) {
                // safe softmax: rows with every score -inf get weights 0 instead of NaN; their scores
                // are replaced by 0 before the softmax so that its backward sees no NaN either
                try (Tensor dead = fullyMaskedRows(sc); Tensor safe = sc.maskedFill(dead, 0); Tensor p = safe.softmax(-1)) {
                    weights = p.maskedFill(dead, 0);
                }
            } else {
                weights = sc.softmax(-1);
            }
        }
        if (dropoutP > 0) {
            weights = then(weights, Regularization.dropout(weights, dropoutP, true, generator));
        }
        Tensor out = weights.matmul(v);
        if (!withWeights) {
            weights.close();
        }
        return new Result(out, withWeights ? weights : null);
    }

    /** Attention through {@link Backend#attention}, for q, k and v with the same batch dims. */
    private static Tensor fused(String op, Tensor q, Tensor k, Tensor v, boolean isCausal, double scale) {
        Backend be = OpSupport.backend(op, q, k, v);
        long batch = batchDims(q).numel();
        Tensor qc;
        Tensor kc;
        Tensor vc;
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            qc = q.contiguous();
            kc = k.contiguous();
            vc = v.contiguous();
        }
        long[] outShape = q.shape().toArray();
        outShape[outShape.length - 1] = v.size(-1);
        Tensor out = OpSupport.empty(q, Shape.of(outShape), q.dtype());
        Tensor logSumExp = OpSupport.empty(q, Shape.of(batch, q.size(-2)), DType.FLOAT32);
        be.attention(rows(qc, batch), rows(kc, batch), rows(vc, batch), scale, isCausal, rows(out, batch), logSumExp.operand());
        Autograd.record("ScaledDotProductAttentionBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("ScaledDotProductAttentionBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gq = OpSupport.empty(q, q.shape(), q.dtype());
                Tensor gk = OpSupport.empty(k, k.shape(), k.dtype());
                Tensor gv = OpSupport.empty(v, v.shape(), v.dtype());
                be.attentionBackward(rows(qc, batch), rows(kc, batch), rows(vc, batch), rows(out, batch), logSumExp.operand(),
                        rows(gyc, batch), scale, isCausal, rows(gq, batch), rows(gk, batch), rows(gv, batch));
                return new Tensor[] {gq, gk, gv};
            }
        }, q, k, v);
        return OpSupport.saveForBackward(out, qc, kc, vc, logSumExp);
    }

    /** A contiguous [..., N, D] tensor's operand seen as [batch, N, D]. */
    private static Operand rows(Tensor t, long batch) {
        long n = t.size(-2);
        long d = t.size(-1);
        return t.operand().withLayout(new long[] {batch, n, d}, new long[] {n * d, d, 1}, t.operand().offset());
    }

    /** [..., L, 1] bool: true where every score of the row is -inf. */
    private static Tensor fullyMaskedRows(Tensor scores) {
        try (GradMode.Guard ignored = GradMode.noGrad(); Reduction.ValuesIndices max = Reduction.max(scores, -1, true)) {
            return max.values().eq(Double.NEGATIVE_INFINITY);
        }
    }

    /** Closes {@code previous} (the graph keeps it if backward needs it) and returns {@code next}. */
    private static Tensor then(Tensor previous, Tensor next) {
        previous.close();
        return next;
    }

    /** Validates the arguments; returns the shape of the attention weights [..., L, S]. */
    private static Shape check(String op, Tensor q, Tensor k, Tensor v, Tensor mask, double dropoutP, boolean isCausal, Double scale) {
        OpSupport.backend(op, q, k, v, mask);
        String shapes = "query " + q.shape() + ", key " + k.shape() + " and value " + v.shape();
        if (q.rank() < 2 || k.rank() < 2 || v.rank() < 2) {
            throw new IllegalArgumentException(op + ": query, key and value need at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]), got "
                    + shapes);
        }
        if (!q.dtype().isFloatingPoint() || k.dtype() != q.dtype() || v.dtype() != q.dtype()) {
            throw new IllegalArgumentException(op + ": query, key and value must have the same floating-point dtype, got "
                    + q.describe() + ", " + k.describe() + " and " + v.describe());
        }
        if (q.size(-1) != k.size(-1)) {
            throw new IllegalArgumentException(op + ": query's last dim (E = " + q.size(-1) + ") must equal key's last dim ("
                    + k.size(-1) + "), got " + shapes);
        }
        if (k.size(-2) != v.size(-2)) {
            throw new IllegalArgumentException(op + ": key and value must have the same sequence length S (dim -2), got key "
                    + k.shape() + " and value " + v.shape());
        }
        Shape batch;
        try {
            batch = Shape.broadcast(op, Shape.broadcast(op, batchDims(q), batchDims(k)), batchDims(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": the batch dims (all but the last two) of " + shapes + " cannot be broadcast together", e);
        }
        long[] w = Arrays.copyOf(batch.toArray(), batch.rank() + 2);
        w[batch.rank()] = q.size(-2);
        w[batch.rank() + 1] = k.size(-2);
        Shape weightsShape = Shape.of(w);
        if (!(dropoutP >= 0 && dropoutP <= 1)) {
            throw new IllegalArgumentException(op + ": dropoutP must be between 0 and 1, got " + dropoutP);
        }
        if (scale != null && !Double.isFinite(scale)) {
            throw new IllegalArgumentException(op + ": scale must be finite (or null for 1/sqrt(E)), got " + scale);
        }
        if (mask != null) {
            if (isCausal) {
                throw new IllegalArgumentException(op + ": attnMask must be null when isCausal is true (as in PyTorch); "
                        + "combine the causal mask into attnMask instead");
            }
            if (mask.dtype() != DType.BOOL && mask.dtype() != q.dtype()) {
                throw new IllegalArgumentException(op + ": attnMask must be bool (true = take part) or of the query's dtype "
                        + q.dtype().pyName() + " (added to the scores), got " + mask.describe());
            }
            boolean fits = mask.rank() <= weightsShape.rank();
            for (int d = 1; fits && d <= mask.rank(); d++) {
                long m = mask.size(-d);
                fits = m == 1 || m == weightsShape.size(-d);
            }
            if (!fits) {
                throw new IllegalArgumentException(op + ": attnMask of shape " + mask.shape()
                        + " is not broadcastable to the attention weights' shape " + weightsShape + " ([..., L, S] for " + shapes + ")");
            }
        }
        return weightsShape;
    }

    private static Shape batchDims(Tensor t) {
        return Shape.of(Arrays.copyOf(t.shape().toArray(), t.rank() - 2));
    }
}
