package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.backend.UnaryOp;
import dev.panamax.backend.cpu.gemm.PackedB;
import dev.panamax.backend.cpu.gemm.Sgemm;
import dev.panamax.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The pointwise part of an LSTM and a GRU step, forward and backward, each one pass over the
 * batch rows (issue #8): a step is then one GEMM plus one of these instead of a dozen elementwise
 * ops with their temporaries.
 *
 * <p>Operands are contiguous [B, k·H] rows of one float dtype (see {@code Backend#lstmCell} and
 * friends). Rows are split over {@link Parallel}; within a row, float32 sigmoid and tanh are
 * {@link VectorMath}'s passes (whole vectors in place, the ragged tail through a zero-padded copy,
 * as {@code FloatKernels} does), so the activations are the same bits as the unfused ops', and the
 * products and sums are taken in the composed formulation's order, so the forward results are too.
 * float64 is scalar, with {@link UnaryOp}'s formulas, like {@code DoubleKernels}.
 */
final class RnnKernels {
    private static final int L = FloatKernels.L;
    /** Elements (rows times gate width) per parallel range. */
    private static final long GRAIN = 16_384;
    private static final ThreadLocal<MemorySegment> PAD = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(4L * L, 64));

    private RnnKernels() {}

    private static MemorySegment seg(Operand op) {
        return op == null ? null : CpuBackend.segment(op);
    }

    private static long base(Operand op) {
        return op == null ? 0 : op.offset() * op.dtype().byteSize();
    }

    private static void rows(long batch, long rowElements, Parallel.RangeBody body) {
        Parallel.forRange(batch, Math.max(1, GRAIN / Math.max(1, rowElements)), body);
    }

    // ---------------------------------------------------------------- float32 helpers

    private static void sigmoid(MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        activate(false, xs, xo, ys, yo, n);
    }

    private static void tanh(MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        activate(true, xs, xo, ys, yo, n);
    }

    /** sigmoid or tanh of n floats: whole vectors in place, the tail through a zero-padded copy. */
    private static void activate(boolean tanh, MemorySegment xs, long xo, MemorySegment ys, long yo, int n) {
        int whole = n - n % L;
        if (whole > 0) {
            if (tanh) {
                VectorMath.tanh(xs, xo, ys, yo, whole);
            } else {
                VectorMath.sigmoid(xs, xo, ys, yo, whole);
            }
        }
        int rest = n - whole;
        if (rest > 0) {
            MemorySegment t = PAD.get();
            t.fill((byte) 0);
            MemorySegment.copy(xs, xo + 4L * whole, t, 0, 4L * rest);
            if (tanh) {
                VectorMath.tanh(t, 0, t, 0, L);
            } else {
                VectorMath.sigmoid(t, 0, t, 0, L);
            }
            MemorySegment.copy(t, 0, ys, yo + 4L * whole, 4L * rest);
        }
    }

    // A row's ragged end is the same vector code under a mask, so its floats take the same operations as the rest.
    // Whole vectors go without one (null): a mask made and applied at every vector of a row made the LSTM step's
    // cell pass about a quarter slower (one thread, batch 64, hidden 512).

    /** The mask of the floats of the vector at j that lie before n, or null when all L do. */
    private static VectorMask<Float> tail(int j, int n) {
        return j + L <= n ? null : FloatKernels.S.indexInRange(j, n);
    }

    private static FloatVector load(MemorySegment s, long byteOffset, VectorMask<Float> m) {
        return m == null ? FloatVector.fromMemorySegment(FloatKernels.S, s, byteOffset, ByteOrder.nativeOrder())
                : FloatVector.fromMemorySegment(FloatKernels.S, s, byteOffset, ByteOrder.nativeOrder(), m);
    }

    private static void store(FloatVector v, MemorySegment s, long byteOffset, VectorMask<Float> m) {
        if (m == null) {
            v.intoMemorySegment(s, byteOffset, ByteOrder.nativeOrder());
        } else {
            v.intoMemorySegment(s, byteOffset, ByteOrder.nativeOrder(), m);
        }
    }

    private static double d(MemorySegment s, long byteOffset) {
        return s.get(ValueLayout.JAVA_DOUBLE, byteOffset);
    }

    private static void d(MemorySegment s, long byteOffset, double v) {
        s.set(ValueLayout.JAVA_DOUBLE, byteOffset, v);
    }

    private static double sigmoid(double x) {
        return UnaryOp.SIGMOID.apply(x, 0, 0);
    }

    // ---------------------------------------------------------------- LSTM

    static void lstmCell(Operand gates, Operand c, Operand h, Operand cNew, Operand act, Operand tanhC) {
        long batch = c.shape()[0];
        int hid = (int) c.shape()[1];
        if (batch == 0 || hid == 0) {
            return;
        }
        MemorySegment gs = seg(gates), cs = seg(c), hs = seg(h), ns = seg(cNew), as = seg(act), ts = seg(tanhC);
        long g0 = base(gates), c0 = base(c), h0 = base(h), n0 = base(cNew), a0 = base(act), t0 = base(tanhC);
        boolean single = gates.dtype() == DType.FLOAT32;
        rows(batch, 4L * hid, (from, to) -> {
            for (long b = from; b < to; b++) {
                if (single) {
                    lstmRowFloat(hid, 4L * hid, gs, g0 + 16L * hid * b, cs, c0 + 4L * hid * b, hs, h0 + 4L * hid * b, ns, n0 + 4L * hid * b,
                            as, a0 + 16L * hid * b, ts, t0 + 4L * hid * b);
                } else {
                    lstmRowDouble(hid, gs, g0 + 32L * hid * b, cs, c0 + 8L * hid * b, hs, h0 + 8L * hid * b, ns, n0 + 8L * hid * b,
                            as, a0 + 32L * hid * b, ts, t0 + 8L * hid * b);
                }
            }
        });
    }

    /**
     * The cell for {@code units} hidden units of one row: gate k of unit j at byte {@code go + k * gateBytes + 4j} of
     * gs (a whole row of gates when units = H and gateBytes = 16H; part of one in the fused step), the state's at
     * {@code 4j} from its offset.
     */
    private static void lstmRowFloat(int units, long gateBytes, MemorySegment gs, long go, MemorySegment cs, long co, MemorySegment hs,
                                     long ho, MemorySegment ns, long no, MemorySegment as, long ao, MemorySegment ts, long to) {
        sigmoid(gs, go, as, ao, units);
        sigmoid(gs, go + gateBytes, as, ao + gateBytes, units);
        tanh(gs, go + 2 * gateBytes, as, ao + 2 * gateBytes, units);
        sigmoid(gs, go + 3 * gateBytes, as, ao + 3 * gateBytes, units);
        for (int j = 0; j < units; j += L) {
            long b = 4L * j;
            VectorMask<Float> m = tail(j, units);
            FloatVector i = load(as, ao + b, m);
            FloatVector fg = load(as, ao + gateBytes + b, m);
            FloatVector g = load(as, ao + 2 * gateBytes + b, m);
            store(fg.mul(load(cs, co + b, m)).add(i.mul(g)), ns, no + b, m);
        }
        tanh(ns, no, ts, to, units);
        for (int j = 0; j < units; j += L) {
            long b = 4L * j;
            VectorMask<Float> m = tail(j, units);
            store(load(as, ao + 3 * gateBytes + b, m).mul(load(ts, to + b, m)), hs, ho + b, m);
        }
    }

    private static void lstmRowDouble(int hid, MemorySegment gs, long go, MemorySegment cs, long co, MemorySegment hs, long ho,
                                      MemorySegment ns, long no, MemorySegment as, long ao, MemorySegment ts, long to) {
        long gate = 8L * hid;
        for (int j = 0; j < hid; j++) {
            long b = 8L * j;
            double i = sigmoid(d(gs, go + b));
            double fg = sigmoid(d(gs, go + gate + b));
            double g = Math.tanh(d(gs, go + 2 * gate + b));
            double o = sigmoid(d(gs, go + 3 * gate + b));
            double c = fg * d(cs, co + b) + i * g;
            double tc = Math.tanh(c);
            d(as, ao + b, i);
            d(as, ao + gate + b, fg);
            d(as, ao + 2 * gate + b, g);
            d(as, ao + 3 * gate + b, o);
            d(ns, no + b, c);
            d(ts, to + b, tc);
            d(hs, ho + b, o * tc);
        }
    }

    /**
     * One float32 LSTM step ({@code CpuBackend#lstmStep}), or false when the operands do not allow this form
     * (then nothing is written): the product h W overwrites gates, never reading them, and the cell pass adds
     * xw + bias to each row before its gates, so no pass fills gates with xw + bias first. The same operations
     * per float as the composed step (xw + bias, then + the product, which is one sum per element with one
     * depth block; then {@link #lstmRowFloat}), so the same bits.
     */
    static boolean lstmStep(Operand h, PackedB w, Operand xw, Operand bias, Operand c, Operand hOut, Operand cOut, Operand gates,
                            Operand tanhC) {
        long batch = c.shape()[0];
        int hid = (int) c.shape()[1];
        if (gates.dtype() != DType.FLOAT32 || w == null || w.depthBlocks() != 1 || xw.strides()[1] != 1
                || (bias != null && (bias.strides()[0] != 0 || bias.strides()[1] != 1)) || batch > Integer.MAX_VALUE) {
            return false;
        }
        long[] st = h.strides();
        Sgemm.sgemmPackedB((int) batch, 1f, seg(h), h.offset(), st[0], st[1], w, 0f, seg(gates), gates.offset(), 4L * hid, 1);
        if (batch == 0 || hid == 0) {
            return true;
        }
        MemorySegment gs = seg(gates), cs = seg(c), hs = seg(hOut), ns = seg(cOut), ts = seg(tanhC), xs = seg(xw), bs = seg(bias);
        long g0 = base(gates), c0 = base(c), h0 = base(hOut), n0 = base(cOut), t0 = base(tanhC), x0 = base(xw), b0 = base(bias);
        long xRow = 4L * xw.strides()[0];
        rows(batch, 4L * hid, (from, to) -> {
            for (long b = from; b < to; b++) {
                long go = g0 + 16L * hid * b;
                addInput(4 * hid, xs, x0 + xRow * b, bs, b0, gs, go);
                long u = 4L * hid * b;
                lstmRowFloat(hid, 4L * hid, gs, go, cs, c0 + u, hs, h0 + u, ns, n0 + u, gs, go, ts, t0 + u);
            }
        });
        return true;
    }

    /** gates += xw + bias (bias null: + xw) over n floats: the pre-activation's sum in the unfused order. */
    private static void addInput(int n, MemorySegment xs, long xo, MemorySegment bs, long bo, MemorySegment gs, long go) {
        for (int j = 0; j < n; j += L) {
            long b = 4L * j;
            VectorMask<Float> m = tail(j, n);
            FloatVector x = load(xs, xo + b, m);
            FloatVector in = bs == null ? x : x.add(load(bs, bo + b, m));
            store(load(gs, go + b, m).add(in), gs, go + b, m);
        }
    }

    /**
     * {@code Backend#lstmCellBackward} with gradH + carryH and gradC + carryC in place of gradH and gradC (a null
     * carry adds nothing, a null gradC is zero): the sums of a BPTT step taken in this pass, in the order of the
     * ADD they replace. gradCPrev may be carryC itself (each element is read before it is written).
     */
    static void lstmCellBackward(Operand act, Operand c, Operand tanhC, Operand gradH, Operand carryH, Operand gradC, Operand carryC,
                                 Operand gradGates, Operand gradCPrev) {
        long batch = c.shape()[0];
        int hid = (int) c.shape()[1];
        if (batch == 0 || hid == 0 || (gradGates == null && gradCPrev == null)) {
            return;
        }
        MemorySegment as = seg(act), cs = seg(c), ts = seg(tanhC), dhs = seg(gradH), khs = seg(carryH), dcs = seg(gradC), kcs = seg(carryC),
                dgs = seg(gradGates), dps = seg(gradCPrev);
        long a0 = base(act), c0 = base(c), t0 = base(tanhC), dh0 = base(gradH), kh0 = base(carryH), dc0 = base(gradC), kc0 = base(carryC),
                dg0 = base(gradGates), dp0 = base(gradCPrev);
        int size = c.dtype().byteSize();
        long row = (long) size * hid;
        // absent operands become this thread's stand-ins here, so the loops over rows and units have no null tests: an
        // absent addend reads one row of −0 for every row (step 0; with neither gradC nor carryC, dc = +0 + −0 = +0, the
        // zero the composed rule adds), an absent output (at most one) writes to a sink of its size
        StandIns absent = StandIns.get();
        MemorySegment kh = khs != null ? khs : absent.negativeZeros(row, size);
        MemorySegment dc = dcs != null ? dcs : kcs != null ? absent.negativeZeros(row, size) : absent.zeros(row);
        MemorySegment kc = kcs != null ? kcs : absent.negativeZeros(row, size);
        MemorySegment dg = dgs != null ? dgs : absent.sink(4 * row * batch);
        MemorySegment dp = dps != null ? dps : absent.sink(row * batch);
        long khStep = step(carryH, row), dcStep = step(gradC, row), kcStep = step(carryC, row);
        rows(batch, 4L * hid, (from, to) -> {
            for (long b = from; b < to; b++) {
                long r = row * b;
                if (size == 4) {
                    lstmBackwardRowFloat(hid, as, a0 + 4 * r, cs, c0 + r, ts, t0 + r, dhs, dh0 + r, kh, kh0 + khStep * b,
                            dc, dc0 + dcStep * b, kc, kc0 + kcStep * b, dg, dg0 + 4 * r, dp, dp0 + r);
                } else {
                    lstmBackwardRowDouble(hid, as, a0 + 4 * r, cs, c0 + r, ts, t0 + r, dhs, dh0 + r, kh, kh0 + khStep * b,
                            dc, dc0 + dcStep * b, kc, kc0 + kcStep * b, dg, dg0 + 4 * r, dp, dp0 + r);
                }
            }
        });
    }

    /** Bytes from one row of an addend to the next: {@code row}, or 0 for an absent one, whose stand-in is one row. */
    private static long step(Operand op, long row) {
        return op == null ? 0 : row;
    }

    private static void lstmBackwardRowFloat(int hid, MemorySegment as, long ao, MemorySegment cs, long co, MemorySegment ts, long to,
                                             MemorySegment dhs, long dho, MemorySegment khs, long kho, MemorySegment dcs, long dco,
                                             MemorySegment kcs, long kco, MemorySegment dgs, long dgo, MemorySegment dps, long dpo) {
        long gate = 4L * hid;
        FloatVector one = FloatVector.broadcast(FloatKernels.S, 1f);
        for (int j = 0; j < hid; j += L) {
            long b = 4L * j;
            VectorMask<Float> m = tail(j, hid);
            FloatVector i = load(as, ao + b, m);
            FloatVector fg = load(as, ao + gate + b, m);
            FloatVector g = load(as, ao + 2 * gate + b, m);
            FloatVector o = load(as, ao + 3 * gate + b, m);
            FloatVector tc = load(ts, to + b, m);
            FloatVector c = load(cs, co + b, m);
            FloatVector dh = load(dhs, dho + b, m).add(load(khs, kho + b, m));
            FloatVector dc = load(dcs, dco + b, m).add(load(kcs, kco + b, m));
            // the composed rule's order: d(tanh c') = dh·o, then ·(1 − tc²), then + dc
            FloatVector dct = dh.mul(o).mul(one.sub(tc.mul(tc))).add(dc);
            store(dct.mul(g).mul(i.mul(one.sub(i))), dgs, dgo + b, m);
            store(dct.mul(c).mul(fg.mul(one.sub(fg))), dgs, dgo + gate + b, m);
            store(dct.mul(i).mul(one.sub(g.mul(g))), dgs, dgo + 2 * gate + b, m);
            store(dh.mul(tc).mul(o.mul(one.sub(o))), dgs, dgo + 3 * gate + b, m);
            store(dct.mul(fg), dps, dpo + b, m);
        }
    }

    private static void lstmBackwardRowDouble(int hid, MemorySegment as, long ao, MemorySegment cs, long co, MemorySegment ts, long to,
                                              MemorySegment dhs, long dho, MemorySegment khs, long kho, MemorySegment dcs, long dco,
                                              MemorySegment kcs, long kco, MemorySegment dgs, long dgo, MemorySegment dps, long dpo) {
        long gate = 8L * hid;
        for (int j = 0; j < hid; j++) {
            long b = 8L * j;
            double i = d(as, ao + b);
            double fg = d(as, ao + gate + b);
            double g = d(as, ao + 2 * gate + b);
            double o = d(as, ao + 3 * gate + b);
            double tc = d(ts, to + b);
            double c = d(cs, co + b);
            double dh = d(dhs, dho + b) + d(khs, kho + b);
            double dct = dh * o * (1 - tc * tc) + (d(dcs, dco + b) + d(kcs, kco + b));
            d(dgs, dgo + b, dct * g * (i * (1 - i)));
            d(dgs, dgo + gate + b, dct * c * (fg * (1 - fg)));
            d(dgs, dgo + 2 * gate + b, dct * i * (1 - g * g));
            d(dgs, dgo + 3 * gate + b, dh * tc * (o * (1 - o)));
            d(dps, dpo + b, dct * fg);
        }
    }

    // ---------------------------------------------------------------- GRU

    static void gruCell(Operand xw, Operand hw, Operand h, Operand hNew, Operand act) {
        long batch = h.shape()[0];
        int hid = (int) h.shape()[1];
        if (batch == 0 || hid == 0) {
            return;
        }
        MemorySegment xs = seg(xw), ws = seg(hw), hs = seg(h), ns = seg(hNew), as = seg(act);
        long x0 = base(xw), w0 = base(hw), h0 = base(h), n0 = base(hNew), a0 = base(act);
        int size = h.dtype().byteSize();
        rows(batch, 3L * hid, (from, to) -> {
            for (long b = from; b < to; b++) {
                long row = (long) size * hid * b;
                if (size == 4) {
                    gruRowFloat(hid, xs, x0 + 3 * row, ws, w0 + 3 * row, hs, h0 + row, ns, n0 + row, as, a0 + 3 * row);
                } else {
                    gruRowDouble(hid, xs, x0 + 3 * row, ws, w0 + 3 * row, hs, h0 + row, ns, n0 + row, as, a0 + 3 * row);
                }
            }
        });
    }

    private static void gruRowFloat(int hid, MemorySegment xs, long xo, MemorySegment ws, long wo, MemorySegment hs, long ho,
                                    MemorySegment ns, long no, MemorySegment as, long ao) {
        long gate = 4L * hid;
        int rz = 2 * hid;
        for (int j = 0; j < rz; j += L) {
            long b = 4L * j;
            VectorMask<Float> m = tail(j, rz);
            store(load(xs, xo + b, m).add(load(ws, wo + b, m)), as, ao + b, m);
        }
        sigmoid(as, ao, as, ao, rz);
        long n = 2 * gate;
        for (int j = 0; j < hid; j += L) {
            long b = 4L * j;
            VectorMask<Float> m = tail(j, hid);
            store(load(xs, xo + n + b, m).add(load(as, ao + b, m).mul(load(ws, wo + n + b, m))), as, ao + n + b, m);
        }
        tanh(as, ao + n, as, ao + n, hid);
        for (int j = 0; j < hid; j += L) {
            long b = 4L * j;
            VectorMask<Float> m = tail(j, hid);
            FloatVector z = load(as, ao + gate + b, m);
            FloatVector nv = load(as, ao + n + b, m);
            store(nv.add(z.mul(load(hs, ho + b, m).sub(nv))), ns, no + b, m);
        }
    }

    private static void gruRowDouble(int hid, MemorySegment xs, long xo, MemorySegment ws, long wo, MemorySegment hs, long ho,
                                     MemorySegment ns, long no, MemorySegment as, long ao) {
        long gate = 8L * hid;
        for (int j = 0; j < hid; j++) {
            long b = 8L * j;
            double r = sigmoid(d(xs, xo + b) + d(ws, wo + b));
            double z = sigmoid(d(xs, xo + gate + b) + d(ws, wo + gate + b));
            double n = Math.tanh(d(xs, xo + 2 * gate + b) + r * d(ws, wo + 2 * gate + b));
            d(as, ao + b, r);
            d(as, ao + gate + b, z);
            d(as, ao + 2 * gate + b, n);
            d(ns, no + b, n + z * (d(hs, ho + b) - n));
        }
    }

    static void gruCellBackward(Operand act, Operand hw, Operand h, Operand gradHNew, Operand gradXw, Operand gradHw, Operand gradH) {
        long batch = h.shape()[0];
        int hid = (int) h.shape()[1];
        if (batch == 0 || hid == 0 || (gradXw == null && gradHw == null && gradH == null)) {
            return;
        }
        MemorySegment as = seg(act), ws = seg(hw), hs = seg(h), gs = seg(gradHNew);
        long a0 = base(act), w0 = base(hw), h0 = base(h), g0 = base(gradHNew);
        int size = h.dtype().byteSize();
        long row = (long) size * hid;
        // an absent output writes to this thread's sink (as in lstmCellBackward), so the row loops have no null tests:
        // gradXw and gradHw to its first [B, 3H] (both, if both are absent: a row's writes stay in its worker's part),
        // gradH to the [B, H] after it
        MemorySegment sink = StandIns.get().sink(4 * row * batch);
        MemorySegment dxs = gradXw != null ? seg(gradXw) : sink, dws = gradHw != null ? seg(gradHw) : sink,
                dhs = gradH != null ? seg(gradH) : sink;
        long dx0 = gradXw != null ? base(gradXw) : 0, dw0 = gradHw != null ? base(gradHw) : 0,
                dh0 = gradH != null ? base(gradH) : 3 * row * batch;
        rows(batch, 3L * hid, (from, to) -> {
            for (long b = from; b < to; b++) {
                long r = row * b;
                if (size == 4) {
                    gruBackwardRowFloat(hid, as, a0 + 3 * r, ws, w0 + 3 * r, hs, h0 + r, gs, g0 + r, dxs, dx0 + 3 * r,
                            dws, dw0 + 3 * r, dhs, dh0 + r);
                } else {
                    gruBackwardRowDouble(hid, as, a0 + 3 * r, ws, w0 + 3 * r, hs, h0 + r, gs, g0 + r, dxs, dx0 + 3 * r,
                            dws, dw0 + 3 * r, dhs, dh0 + r);
                }
            }
        });
    }

    private static void gruBackwardRowFloat(int hid, MemorySegment as, long ao, MemorySegment ws, long wo, MemorySegment hs, long ho,
                                            MemorySegment gs, long go, MemorySegment dxs, long dxo, MemorySegment dws, long dwo,
                                            MemorySegment dhs, long dho) {
        long gate = 4L * hid;
        FloatVector one = FloatVector.broadcast(FloatKernels.S, 1f);
        for (int j = 0; j < hid; j += L) {
            long b = 4L * j;
            VectorMask<Float> m = tail(j, hid);
            FloatVector z = load(as, ao + gate + b, m);
            FloatVector g = load(gs, go + b, m);
            store(g.mul(z), dhs, dho + b, m);
            FloatVector r = load(as, ao + b, m);
            FloatVector n = load(as, ao + 2 * gate + b, m);
            FloatVector dnPre = g.mul(one.sub(z)).mul(one.sub(n.mul(n)));
            FloatVector drPre = dnPre.mul(load(ws, wo + 2 * gate + b, m)).mul(r.mul(one.sub(r)));
            FloatVector dzPre = g.mul(load(hs, ho + b, m).sub(n)).mul(z.mul(one.sub(z)));
            store(drPre, dxs, dxo + b, m);
            store(dzPre, dxs, dxo + gate + b, m);
            store(dnPre, dxs, dxo + 2 * gate + b, m);
            store(drPre, dws, dwo + b, m);
            store(dzPre, dws, dwo + gate + b, m);
            store(dnPre.mul(r), dws, dwo + 2 * gate + b, m);
        }
    }

    private static void gruBackwardRowDouble(int hid, MemorySegment as, long ao, MemorySegment ws, long wo, MemorySegment hs, long ho,
                                             MemorySegment gs, long go, MemorySegment dxs, long dxo, MemorySegment dws, long dwo,
                                             MemorySegment dhs, long dho) {
        long gate = 8L * hid;
        for (int j = 0; j < hid; j++) {
            long b = 8L * j;
            double r = d(as, ao + b);
            double z = d(as, ao + gate + b);
            double n = d(as, ao + 2 * gate + b);
            double g = d(gs, go + b);
            d(dhs, dho + b, g * z);
            double hn = d(ws, wo + 2 * gate + b);
            double hp = d(hs, ho + b);
            double dnPre = g * (1 - z) * (1 - n * n);
            double drPre = dnPre * hn * (r * (1 - r));
            double dzPre = g * (hp - n) * (z * (1 - z));
            d(dxs, dxo + b, drPre);
            d(dxs, dxo + gate + b, dzPre);
            d(dxs, dxo + 2 * gate + b, dnPre);
            d(dws, dwo + b, drPre);
            d(dws, dwo + gate + b, dzPre);
            d(dws, dwo + 2 * gate + b, dnPre * r);
        }
    }
}
