package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Operand;
import dev.panamax.backend.PreparedMatrix;
import dev.panamax.backend.UnaryOp;
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

    /**
     * A whole LSTM layer direction without projection, all steps active: from the input
     * projections proj [T, B, 4H] (x W_ihᵀ + b_ih, time-major, any layout), h0 and c0 [B, H] and
     * the recurrent weight wHh [4H, H] and bias bHh [4H] (or null), runs the steps in time order
     * (backwards with {@code reverse}), each one {@link Backend#lstmStep}: proj + bHh + h W_hhᵀ into
     * its slice of the gate buffer (wHh prepared once for the whole sequence, {@link Backend#prepareRight})
     * and the cell, which replaces the pre-activations with the activations its backward needs (the CPU
     * adds proj + bHh in the cell's pass instead of a pass of its own). Without a graph to record, every
     * step uses the same slice.
     * Returns y [2, T, B, H] with y[0][t] = h_t and y[1][t] = c_t (t in input order), recorded as
     * one node. Its backward is backpropagation through time with the same structure: per step one
     * {@link Backend#lstmStepBackward} (the cell's backward, then dh = dgates W_hh) into buffers allocated once, then one product for
     * the gradient of wHh over all steps; the gradient of proj is the stacked gate gradients
     * themselves.
     */
    public static Tensor lstmSequence(Tensor proj, Tensor h0, Tensor c0, Tensor wHh, Tensor bHh, boolean reverse) {
        String op = "lstmSequence";
        checkSequence(op, 4, proj, h0, c0, wHh, bHh);
        long steps = proj.size(0);
        long batch = c0.size(0);
        long hid = c0.size(1);
        long gw = 4 * hid;
        Backend be = OpSupport.backend(op, proj, h0, c0, wHh, bHh);
        DType dtype = c0.dtype();
        Tensor hc = contiguous(h0);
        Tensor cc = contiguous(c0);
        try {
            Tensor y = OpSupport.empty(c0, Shape.of(2, steps, batch, hid), dtype);
            // Only a backward reads the activations: without one, every step reuses one step's buffers, which stay in
            // cache (a fresh [B, 4H] plane per step cost 4 % of the forward in writes to memory).
            long kept = Autograd.willRecord(proj, hc, cc, wHh, bHh) ? steps : 1;
            Tensor act = OpSupport.empty(c0, Shape.of(kept, batch, gw), dtype);
            Tensor tanhC = OpSupport.empty(c0, Shape.of(kept, batch, hid), dtype);
            Operand yo = y.operand();
            Operand ao = act.operand();
            Operand to = tanhC.operand();
            Operand po = proj.operand();
            Operand wo = wHh.operand();
            Operand bias = batchBias(bHh, batch, gw);
            try (PreparedMatrix wt = be.prepareRight(transposedWeight(wo))) {
                Operand hPrev = hc.operand();
                Operand cPrev = cc.operand();
                for (long k = 0; k < steps; k++) {
                    long t = reverse ? steps - 1 - k : k;
                    Operand hOut = plane(yo, t, batch, hid);
                    Operand cOut = plane(yo, steps + t, batch, hid);
                    long saved = kept == steps ? t : 0;
                    be.lstmStep(hPrev, wt, stepOf(po, t), bias, cPrev, hOut, cOut, plane(ao, saved, batch, gw), plane(to, saved, batch, hid));
                    hPrev = hOut;
                    cPrev = cOut;
                }
            }
            Autograd.record("LstmSequenceBackward", y, (g, needs) -> {
                OpSupport.noHigherOrder("LstmSequenceBackward");
                try (Tensor gd = dense(g, dtype)) {
                    return lstmSequenceBackward(be, gd.operand(), y.operand(), act.operand(), tanhC.operand(), hc, cc, wHh, reverse,
                            needs, dtype);
                }
            }, proj, hc, cc, wHh, bHh);
            return OpSupport.saveForBackward(y, act, tanhC);
        } finally {
            release(hc, h0);
            release(cc, c0);
        }
    }

    /** Backpropagation through time for {@link #lstmSequence}: {dproj, dh0, dc0, dwHh, dbHh}. */
    private static Tensor[] lstmSequenceBackward(Backend be, Operand g, Operand yo, Operand ao, Operand to, Tensor h0, Tensor c0,
                                                 Tensor wHh, boolean reverse, boolean[] needs, DType dtype) {
        long steps = ao.shape()[0];
        long batch = ao.shape()[1];
        long gw = ao.shape()[2];
        long hid = gw / 4;
        Tensor dGates = OpSupport.empty(c0, Shape.of(steps, batch, gw), dtype);
        Tensor dh = Tensor.full(Shape.of(batch, hid), 0, dtype, c0.device());
        Tensor dc = Tensor.full(Shape.of(batch, hid), 0, dtype, c0.device());
        Tensor[] dParams;
        try (PreparedMatrix w = be.prepareRight(wHh.operand())) {
            Operand dgo = dGates.operand();
            Operand dho = dh.operand();
            Operand dco = dc.operand();
            for (long k = steps - 1; k >= 0; k--) {
                long t = reverse ? steps - 1 - k : k;
                boolean first = k == 0;
                long tPrev = reverse ? t + 1 : t - 1;
                Operand cPrev = first ? c0.operand() : plane(yo, steps + tPrev, batch, hid);
                // dh_{t-1} = dgates_t @ wHh, dc_{t-1} from the cell
                be.lstmStepBackward(plane(ao, t, batch, gw), cPrev, plane(to, t, batch, hid), plane(g, t, batch, hid),
                        plane(g, steps + t, batch, hid), w, dho, dco, plane(dgo, t, batch, gw));
            }
            dParams = recurrentParameterGradients(be, dGates, yo, h0, reverse, needs[3], needs[4]);
        } catch (RuntimeException | Error e) {
            dGates.close();
            dh.close();
            dc.close();
            throw e;
        }
        return needed(needs, dGates, dh, dc, dParams[0], dParams[1]);
    }

    /**
     * A whole GRU layer direction, all steps active, as one node: from proj [T, B, 3H] (x W_ihᵀ +
     * b_ih, time-major, any layout; copied dense once when it is not), h0 [B, H], wHh [3H, H] and
     * bHh [3H] (or null), runs the steps in time order (backwards with {@code reverse}), each one
     * matrix product (wHh prepared once, {@link Backend#prepareRight}; the product is added to bHh
     * in place) and one {@link #gruCell} kernel, and returns y [T, B, H] with
     * y[t] = h_t (t in input order). Its backward is backpropagation through time into buffers allocated once: per
     * step one cell-backward kernel and one matrix product, then one product for the gradient of
     * wHh over all steps.
     */
    public static Tensor gruSequence(Tensor proj, Tensor h0, Tensor wHh, Tensor bHh, boolean reverse) {
        String op = "gruSequence";
        checkSequence(op, 3, proj, h0, null, wHh, bHh);
        long steps = proj.size(0);
        long batch = h0.size(0);
        long hid = h0.size(1);
        long gw = 3 * hid;
        Backend be = OpSupport.backend(op, proj, h0, wHh, bHh);
        DType dtype = h0.dtype();
        Tensor pc = contiguous(proj);
        Tensor hc = contiguous(h0);
        try {
            Tensor y = OpSupport.empty(h0, Shape.of(steps, batch, hid), dtype);
            Tensor act = OpSupport.empty(h0, Shape.of(steps, batch, gw), dtype);
            Tensor hws = OpSupport.empty(h0, Shape.of(steps, batch, gw), dtype);
            Operand yo = y.operand();
            Operand ao = act.operand();
            Operand ho = hws.operand();
            Operand po = pc.operand();
            Operand wo = wHh.operand();
            Operand bias = batchBias(bHh, batch, gw);
            try (PreparedMatrix wt = be.prepareRight(transposedWeight(wo))) {
                Operand hPrev = hc.operand();
                for (long k = 0; k < steps; k++) {
                    long t = reverse ? steps - 1 - k : k;
                    Operand hwt = plane(ho, t, batch, gw);
                    if (bias != null) {
                        be.copy(bias, hwt);
                    }
                    be.matmulPrepared(hPrev, wt, hwt, bias != null);
                    Operand hOut = plane(yo, t, batch, hid);
                    be.gruCell(plane(po, t, batch, gw), hwt, hPrev, hOut,
                            plane(ao, t, batch, gw));
                    hPrev = hOut;
                }
            }
            Autograd.record("GruSequenceBackward", y, (g, needs) -> {
                OpSupport.noHigherOrder("GruSequenceBackward");
                try (Tensor gd = dense(g, dtype)) {
                    return gruSequenceBackward(be, gd.operand(), y.operand(), act.operand(), hws.operand(), hc, wHh, reverse, needs, dtype);
                }
            }, pc, hc, wHh, bHh);
            return OpSupport.saveForBackward(y, act, hws);
        } finally {
            release(pc, proj);
            release(hc, h0);
        }
    }

    /** Backpropagation through time for {@link #gruSequence}: {dproj, dh0, dwHh, dbHh}. */
    private static Tensor[] gruSequenceBackward(Backend be, Operand g, Operand yo, Operand ao, Operand ho, Tensor h0, Tensor wHh,
                                                boolean reverse, boolean[] needs, DType dtype) {
        long steps = ao.shape()[0];
        long batch = ao.shape()[1];
        long gw = ao.shape()[2];
        long hid = gw / 3;
        Tensor dProj = OpSupport.empty(h0, Shape.of(steps, batch, gw), dtype);
        Tensor dHw = OpSupport.empty(h0, Shape.of(steps, batch, gw), dtype);
        Tensor dh = Tensor.full(Shape.of(batch, hid), 0, dtype, h0.device());
        Tensor[] dParams;
        try (Tensor dhTot = OpSupport.empty(h0, Shape.of(batch, hid), dtype); PreparedMatrix w = be.prepareRight(wHh.operand())) {
            Operand dpo = dProj.operand();
            Operand dwo3 = dHw.operand();
            Operand dho = dh.operand();
            Operand dhTo = dhTot.operand();
            for (long k = steps - 1; k >= 0; k--) {
                long t = reverse ? steps - 1 - k : k;
                long tPrev = reverse ? t + 1 : t - 1;
                be.binary(BinaryOp.ADD, plane(g, t, batch, hid), dho, dhTo);
                Operand hPrev = k == 0 ? h0.operand() : plane(yo, tPrev, batch, hid);
                Operand dhwt = plane(dwo3, t, batch, gw);
                be.gruCellBackward(plane(ao, t, batch, gw),
                        plane(ho, t, batch, gw), hPrev, dhTo,
                        plane(dpo, t, batch, gw), dhwt, dho);
                be.matmulPrepared(dhwt, w, dho, true); // dh_{t-1} = dh' z + dhw_t @ wHh
            }
            dParams = recurrentParameterGradients(be, dHw, yo, h0, reverse, needs[2], needs[3]);
        } catch (RuntimeException | Error e) {
            dProj.close();
            dh.close();
            throw e;
        } finally {
            dHw.close();
        }
        return needed(needs, dProj, dh, dParams[0], dParams[1]);
    }

    /**
     * A whole Elman RNN layer direction, all steps active, as one node: from proj [T, B, H] (x W_ihᵀ +
     * b_ih, time-major, any layout), h0 [B, H], wHh [H, H] and bHh [H] (or null), runs the steps in
     * time order (backwards with {@code reverse}): per step proj + bHh into the step's
     * pre-activation, one matrix product adding h W_hhᵀ to it (wHh prepared once), then tanh or
     * ReLU. Returns y [T, B, H] with y[t] = h_t (t in input order). Its backward is
     * backpropagation through time into buffers allocated once: per step one activation-backward
     * kernel and one product, then one product for the gradient of wHh over all steps.
     */
    public static Tensor rnnSequence(Tensor proj, Tensor h0, Tensor wHh, Tensor bHh, boolean relu, boolean reverse) {
        String op = "rnnSequence";
        checkSequence(op, 1, proj, h0, null, wHh, bHh);
        long steps = proj.size(0);
        long batch = h0.size(0);
        long hid = h0.size(1);
        Backend be = OpSupport.backend(op, proj, h0, wHh, bHh);
        DType dtype = h0.dtype();
        UnaryOp activation = relu ? UnaryOp.RELU : UnaryOp.TANH;
        Tensor hc = contiguous(h0);
        try {
            Tensor y = OpSupport.empty(h0, Shape.of(steps, batch, hid), dtype);
            Tensor pre = OpSupport.empty(h0, Shape.of(steps, batch, hid), dtype);
            Operand yo = y.operand();
            Operand preo = pre.operand();
            Operand po = proj.operand();
            Operand bias = batchBias(bHh, batch, hid);
            try (PreparedMatrix wt = be.prepareRight(transposedWeight(wHh.operand()))) {
                Operand hPrev = hc.operand();
                for (long k = 0; k < steps; k++) {
                    long t = reverse ? steps - 1 - k : k;
                    Operand pt = plane(preo, t, batch, hid);
                    Operand xw = stepOf(po, t);
                    if (bias == null) {
                        be.copy(xw, pt);
                    } else {
                        be.binary(BinaryOp.ADD, xw, bias, pt);
                    }
                    be.matmulPrepared(hPrev, wt, pt, true);
                    Operand hOut = plane(yo, t, batch, hid);
                    be.unary(activation, pt, hOut, 0, 0);
                    hPrev = hOut;
                }
            }
            Autograd.record("RnnSequenceBackward", y, (g, needs) -> {
                OpSupport.noHigherOrder("RnnSequenceBackward");
                try (Tensor gd = dense(g, dtype)) {
                    return rnnSequenceBackward(be, activation, gd.operand(), y.operand(), pre, hc, wHh, reverse, needs, dtype);
                }
            }, proj, hc, wHh, bHh);
            return OpSupport.saveForBackward(y, pre);
        } finally {
            release(hc, h0);
        }
    }

    /** Backpropagation through time for {@link #rnnSequence}: {dproj, dh0, dwHh, dbHh}. */
    private static Tensor[] rnnSequenceBackward(Backend be, UnaryOp activation, Operand g, Operand yo, Tensor pre, Tensor h0, Tensor wHh,
                                                boolean reverse, boolean[] needs, DType dtype) {
        long steps = yo.shape()[0];
        long batch = yo.shape()[1];
        long hid = yo.shape()[2];
        Tensor dPre = OpSupport.empty(h0, Shape.of(steps, batch, hid), dtype);
        Tensor dh = Tensor.full(Shape.of(batch, hid), 0, dtype, h0.device());
        Tensor[] dParams;
        try (Tensor dhTot = OpSupport.empty(h0, Shape.of(batch, hid), dtype); PreparedMatrix w = be.prepareRight(wHh.operand())) {
            Operand dpo = dPre.operand();
            Operand preo = pre.operand();
            Operand dho = dh.operand();
            Operand dhTo = dhTot.operand();
            for (long k = steps - 1; k >= 0; k--) {
                long t = reverse ? steps - 1 - k : k;
                be.binary(BinaryOp.ADD, plane(g, t, batch, hid), dho, dhTo);
                Operand dpt = plane(dpo, t, batch, hid);
                be.unaryBackward(activation, plane(preo, t, batch, hid), plane(yo, t, batch, hid),
                        dhTo, dpt, 0, 0);
                be.matmulPrepared(dpt, w, dho, false); // dh_{t-1} = dpre_t @ wHh
            }
            dParams = recurrentParameterGradients(be, dPre, yo, h0, reverse, needs[2], needs[3]);
        } catch (RuntimeException | Error e) {
            dPre.close();
            dh.close();
            throw e;
        }
        return needed(needs, dPre, dh, dParams[0], dParams[1]);
    }

    /** Plane {@code index} of a dense buffer of [batch, width] planes (a step's slice of [T, B, width]), as [batch, width]. */
    private static Operand plane(Operand buffer, long index, long batch, long width) {
        return buffer.withLayout(new long[] {batch, width}, new long[] {width, 1}, buffer.offset() + index * batch * width);
    }

    /** Step t of proj [T, B, width] in any layout, as [B, width]. */
    private static Operand stepOf(Operand proj, long t) {
        long[] st = proj.strides();
        return proj.withLayout(new long[] {proj.shape()[1], proj.shape()[2]}, new long[] {st[1], st[2]}, proj.offset() + t * st[0]);
    }

    /** wHh [gw, hid] seen as wHhᵀ [hid, gw], the right operand of a step's product h · wHhᵀ. */
    private static Operand transposedWeight(Operand w) {
        return w.withLayout(new long[] {w.shape()[1], w.shape()[0]}, new long[] {w.strides()[1], w.strides()[0]}, w.offset());
    }

    /** bHh [gw] broadcast over the batch rows, [B, gw], or null without a bias. */
    private static Operand batchBias(Tensor bHh, long batch, long gw) {
        return bHh == null ? null : bHh.operand().withLayout(new long[] {batch, gw}, new long[] {0, bHh.strides()[0]}, bHh.operand().offset());
    }

    /**
     * {dW_hh, db_hh} of a whole direction, each null unless wanted, from {@code dPre}: the gradients
     * of the recurrent pre-activations [T, B, gw] in time order.
     */
    private static Tensor[] recurrentParameterGradients(Backend be, Tensor dPre, Operand yo, Tensor h0, boolean reverse, boolean weight,
                                                        boolean bias) {
        long steps = dPre.size(0);
        long batch = dPre.size(1);
        long gw = dPre.size(2);
        Tensor dwHh = weight ? recurrentWeightGradient(be, dPre.operand(), yo, h0, steps, batch, gw, h0.size(1), reverse) : null;
        try {
            return new Tensor[] {dwHh, bias ? recurrentBiasGradient(dPre, steps * batch, gw) : null};
        } catch (RuntimeException | Error e) {
            if (dwHh != null) {
                dwHh.close();
            }
            throw e;
        }
    }

    /**
     * dW_hh = Σ_t dpreₜᵀ h_{t-1} for a whole direction, as two GEMMs: the first step's h_{t-1} is h0,
     * every other step's is the output (the first [T, B, hid] plane of {@code yo}) of the step before.
     * {@code dPre} holds the gradients of the recurrent pre-activations [T, B, gw] in time order.
     */
    private static Tensor recurrentWeightGradient(Backend be, Operand dPre, Operand yo, Tensor h0, long steps, long batch, long gw, long hid,
                                                  boolean reverse) {
        Tensor dwHh = OpSupport.empty(h0, Shape.of(gw, hid), h0.dtype());
        try {
            Operand dwo = dwHh.operand();
            long firstT = reverse ? steps - 1 : 0;
            Operand h0o = h0.operand();
            be.matmul(dPre.withLayout(new long[] {1, gw, batch}, new long[] {0, 1, gw}, dPre.offset() + firstT * batch * gw),
                    h0o.withLayout(new long[] {1, batch, hid}, new long[] {0, h0o.strides()[0], h0o.strides()[1]}, h0o.offset()),
                    dwo.withLayout(new long[] {1, gw, hid}, new long[] {0, hid, 1}, dwo.offset()));
            long rest = steps - 1;
            if (rest > 0) {
                try (Tensor part = OpSupport.empty(h0, Shape.of(gw, hid), h0.dtype())) {
                    Operand po = part.operand();
                    // forward: dpre[1..T-1] with y[0..T-2]; reverse: dpre[0..T-2] with y[1..T-1]
                    long gStart = reverse ? 0 : 1;
                    long hStart = reverse ? 1 : 0;
                    be.matmul(dPre.withLayout(new long[] {1, gw, rest * batch}, new long[] {0, 1, gw}, dPre.offset() + gStart * batch * gw),
                            yo.withLayout(new long[] {1, rest * batch, hid}, new long[] {0, hid, 1}, yo.offset() + hStart * batch * hid),
                            po.withLayout(new long[] {1, gw, hid}, new long[] {0, hid, 1}, po.offset()));
                    be.binary(BinaryOp.ADD, dwo, po, dwo);
                }
            }
            return dwHh;
        } catch (RuntimeException | Error e) {
            dwHh.close();
            throw e;
        }
    }

    /** db_hh: the pre-activation gradients [rows, gw] summed over their rows. */
    private static Tensor recurrentBiasGradient(Tensor dPre, long rows, long gw) {
        try (Tensor flat = dPre.viewOf(Shape.of(rows, gw), new long[] {gw, 1}, dPre.storageOffset())) {
            return Reduction.sum(flat, new int[] {0}, false);
        }
    }

    /**
     * The arguments of a whole-sequence op with {@code gates} gate blocks: proj [T, B, gates·H] with
     * T &gt; 0, h0 (and c0 for the LSTM, else null) [B, H], wHh [gates·H, H], bHh [gates·H] or null,
     * all of h0's floating-point dtype.
     */
    private static void checkSequence(String op, int gates, Tensor proj, Tensor h0, Tensor c0, Tensor wHh, Tensor bHh) {
        check(op, "proj", proj, 3);
        check(op, "h0", h0, 2);
        if (c0 != null) {
            check(op, "c0", c0, 2);
        }
        check(op, "wHh", wHh, 2);
        long batch = h0.size(0);
        long hid = h0.size(1);
        long gw = gates * hid;
        if (proj.size(1) != batch || proj.size(2) != gw || (c0 != null && !h0.shape().equals(c0.shape())) || wHh.size(0) != gw
                || wHh.size(1) != hid || (bHh != null && (bHh.rank() != 1 || bHh.size(0) != gw))) {
            String g = gates == 1 ? "" : Integer.toString(gates);
            throw new IllegalArgumentException(op + ": expected proj [T, B, " + g + "H], h0" + (c0 != null ? " and c0" : "") + " [B, H], wHh ["
                    + g + "H, H] and bHh [" + g + "H], got proj " + proj.shape() + ", h0 " + h0.shape()
                    + (c0 != null ? ", c0 " + c0.shape() : "") + ", wHh " + wHh.shape() + ", bHh " + (bHh == null ? "null" : bHh.shape()));
        }
        if (proj.size(0) == 0) {
            throw new IllegalArgumentException(op + ": proj has no steps (shape " + proj.shape() + ")");
        }
        sameDtype(op, "proj", proj, "h0", h0);
        if (c0 != null) {
            sameDtype(op, "c0", c0, "h0", h0);
        }
        sameDtype(op, "wHh", wHh, "h0", h0);
        if (bHh != null) {
            sameDtype(op, "bHh", bHh, "h0", h0);
        }
    }

    /** The gradients of a backward, one per input: those no input needs are closed and left null. */
    private static Tensor[] needed(boolean[] needs, Tensor... grads) {
        for (int i = 0; i < grads.length; i++) {
            if (!needs[i] && grads[i] != null) {
                grads[i].close();
                grads[i] = null;
            }
        }
        return grads;
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
