package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/**
 * The pointwise part of an LSTM and a GRU step as one fused op each (issue #8): a recurrent step
 * is one matrix product plus one of these, and its backward one kernel, instead of a dozen
 * elementwise ops with their temporaries and gradients. Equations and gate order are PyTorch's.
 */
public final class RecurrentCells {
    private RecurrentCells() {}

    /**
     * One LSTM cell update from the gate pre-activations gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
     * [B, 4H] (order i, f, g, o) and the cell state c [B, H]: c' = σ(f)·c + σ(i)·tanh(g) and
     * h' = σ(o)·tanh(c'). Returns {h', c'}, two [B, H] views of one [2, B, H] result, recorded as
     * one node; its backward gives the gradients of gates and c in one kernel.
     */
    public static Tensor[] lstmCell(Tensor gates, Tensor c) {
        String op = "lstmCell";
        check(op, "gates", gates, 2);
        check(op, "c", c, 2);
        long batch = c.size(0);
        long hid = c.size(1);
        if (gates.size(0) != batch || gates.size(1) != 4 * hid) {
            throw new IllegalArgumentException(op + ": gates must have shape [B, 4H] = [" + batch + ", " + 4 * hid
                    + "] for c of shape " + c.shape() + ", got " + gates.shape());
        }
        sameDtype(op, "gates", gates, "c", c);
        Backend be = OpSupport.backend(op, gates, c);
        DType dtype = c.dtype();
        Tensor gc = contiguous(gates);
        Tensor cc = contiguous(c);
        try {
            Tensor packed = OpSupport.empty(c, Shape.of(2, batch, hid), dtype);
            Tensor act = OpSupport.empty(c, Shape.of(batch, 4 * hid), dtype);
            Tensor tanhC = OpSupport.empty(c, Shape.of(batch, hid), dtype);
            Operand p = packed.operand();
            long[] rowShape = {batch, hid};
            long[] rowStrides = {hid, 1};
            be.lstmCell(gc.operand(), cc.operand(), p.withLayout(rowShape, rowStrides, p.offset()),
                    p.withLayout(rowShape, rowStrides, p.offset() + batch * hid), act.operand(), tanhC.operand());
            Autograd.record("LstmCellBackward", packed, (g, needs) -> {
                OpSupport.noHigherOrder("LstmCellBackward");
                try (Tensor gd = dense(g, dtype)) {
                    Operand go = gd.operand();
                    Tensor gradGates = needs[0] ? OpSupport.empty(c, Shape.of(batch, 4 * hid), dtype) : null;
                    Tensor gradC = needs[1] ? OpSupport.empty(c, Shape.of(batch, hid), dtype) : null;
                    be.lstmCellBackward(act.operand(), cc.operand(), tanhC.operand(), go.withLayout(rowShape, rowStrides, go.offset()),
                            go.withLayout(rowShape, rowStrides, go.offset() + batch * hid),
                            gradGates == null ? null : gradGates.operand(), gradC == null ? null : gradC.operand());
                    return new Tensor[] {gradGates, gradC};
                }
            }, gc, cc);
            OpSupport.saveForBackward(packed, act, tanhC);
            try (packed) {
                return new Tensor[] {packed.select(0, 0), packed.select(0, 1)};
            }
        } finally {
            release(gc, gates);
            release(cc, c);
        }
    }

    /**
     * One GRU cell update from xw = x W_ihᵀ + b_ih and hw = h W_hhᵀ + b_hh ([B, 3H], order r, z,
     * n) and h [B, H]: r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn) and
     * h' = (1 − z)·n + z·h. Its backward gives the gradients of xw, hw and h in one kernel.
     */
    public static Tensor gruCell(Tensor xw, Tensor hw, Tensor h) {
        String op = "gruCell";
        check(op, "xw", xw, 2);
        check(op, "hw", hw, 2);
        check(op, "h", h, 2);
        long batch = h.size(0);
        long hid = h.size(1);
        Shape gatesShape = Shape.of(batch, 3 * hid);
        if (!xw.shape().equals(gatesShape) || !hw.shape().equals(gatesShape)) {
            throw new IllegalArgumentException(op + ": xw and hw must have shape [B, 3H] = " + gatesShape + " for h of shape "
                    + h.shape() + ", got xw " + xw.shape() + " and hw " + hw.shape());
        }
        sameDtype(op, "xw", xw, "h", h);
        sameDtype(op, "hw", hw, "h", h);
        Backend be = OpSupport.backend(op, xw, hw, h);
        DType dtype = h.dtype();
        Tensor xc = contiguous(xw);
        Tensor wc = contiguous(hw);
        Tensor hc = contiguous(h);
        try {
            Tensor out = OpSupport.empty(h, Shape.of(batch, hid), dtype);
            Tensor act = OpSupport.empty(h, gatesShape, dtype);
            be.gruCell(xc.operand(), wc.operand(), hc.operand(), out.operand(), act.operand());
            Autograd.record("GruCellBackward", out, (g, needs) -> {
                OpSupport.noHigherOrder("GruCellBackward");
                try (Tensor gd = dense(g, dtype)) {
                    Tensor gx = needs[0] ? OpSupport.empty(h, gatesShape, dtype) : null;
                    Tensor gw = needs[1] ? OpSupport.empty(h, gatesShape, dtype) : null;
                    Tensor gh = needs[2] ? OpSupport.empty(h, Shape.of(batch, hid), dtype) : null;
                    be.gruCellBackward(act.operand(), wc.operand(), hc.operand(), gd.operand(), gx == null ? null : gx.operand(),
                            gw == null ? null : gw.operand(), gh == null ? null : gh.operand());
                    return new Tensor[] {gx, gw, gh};
                }
            }, xc, wc, hc);
            return OpSupport.saveForBackward(out, act);
        } finally {
            release(xc, xw);
            release(wc, hw);
            release(hc, h);
        }
    }

    private static void check(String op, String arg, Tensor t, int rank) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + arg + " must not be null");
        }
        OpSupport.requireFloatingPoint(op, arg, t);
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + arg + " must be " + rank + "-D [batch, features], got " + t.describe());
        }
    }

    private static void sameDtype(String op, String a, Tensor ta, String b, Tensor tb) {
        if (ta.dtype() != tb.dtype()) {
            throw new IllegalArgumentException(op + ": " + a + " and " + b + " must have the same dtype, got " + ta.dtype().pyName()
                    + " and " + tb.dtype().pyName());
        }
    }

    /** x itself when contiguous, else a contiguous copy (differentiable). */
    private static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? x : ShapeOps.copy(x);
    }

    private static void release(Tensor made, Tensor original) {
        if (made != original) {
            made.close();
        }
    }

    /** A gradient as a contiguous tensor of the op's dtype (an alias when it already is one). */
    private static Tensor dense(Tensor g, DType dtype) {
        return g.isContiguous() && g.dtype() == dtype ? g.alias() : ShapeOps.convert(g, dtype);
    }
}
