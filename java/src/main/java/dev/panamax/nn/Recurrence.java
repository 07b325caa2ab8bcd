package dev.panamax.nn;

import dev.panamax.backend.Backend;
import dev.panamax.backend.FusedRecurrence;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.ops.LinearAlgebra;
import dev.panamax.ops.RecurrentCells;
import dev.panamax.ops.RecurrentStack;
import dev.panamax.ops.RecurrentWeightSpace;
import dev.panamax.ops.Regularization;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The computation shared by the recurrent layers and cells, composed of differentiable ops
 * (linear, the fused {@link RecurrentCells} gate ops, tanh/relu, add, where, stack, cat), so
 * autograd and every backend work unchanged. Per layer and direction the input projection of all
 * steps is one matrix product; each step then adds one product with the recurrent weights and
 * one fused pointwise op for the LSTM and GRU gates (issue #8). A direction whose steps are all
 * active (no lengths, or every length T) and has no LSTM projection runs as one whole-sequence op
 * ({@link RecurrentCells#lstmSequence}, {@link RecurrentCells#gruSequence},
 * {@link RecurrentCells#rnnSequence}) whose backward through
 * time allocates its buffers once; other directions run step by step. Per-step temporaries are
 * closed as soon as they are used (a recorded graph keeps what its backward needs).
 *
 * <p>Where the backend runs whole stacks ({@link RecurrentStack}: cuDNN's RNN API on CUDA), the
 * stack is one op instead, unless {@link #fusedUnavailable} says why not; the CPU always runs the
 * layers as above.
 *
 * <p>Equations and gate order are PyTorch's: LSTM i, f, g, o with c' = f·c + i·g and h' = o·tanh(c')
 * (then h' Whrᵀ with a projection); GRU r, z, n with n = tanh(W_in x + b_in + r·(W_hn h + b_hn))
 * and h' = (1 − z)·n + z·h.
 */
final class Recurrence {
    private Recurrence() {}

    enum Mode {
        RNN_TANH(1), RNN_RELU(1), LSTM(4), GRU(3);

        final int gates;

        Mode(int gates) {
            this.gates = gates;
        }
    }

    /** The shape of a stack of recurrent layers. */
    record Config(Mode mode, long inputSize, long hiddenSize, long projSize, int numLayers, boolean bias, boolean batchFirst,
                  double dropout, boolean bidirectional) {
        int directions() {
            return bidirectional ? 2 : 1;
        }

        /** The size of h: the projection size when there is one, else the hidden size. */
        long outSize() {
            return projSize > 0 ? projSize : hiddenSize;
        }

        /** weight_ih, weight_hh, [bias_ih, bias_hh], [weight_hr]. */
        int weightsPerDirection() {
            return 2 + (bias ? 2 : 0) + (projSize > 0 ? 1 : 0);
        }

        /** The stack as a fused backend sees it. */
        RecurrentSpec spec(DType dtype) {
            return new RecurrentSpec(RecurrentSpec.Cell.valueOf(mode.name()), inputSize, hiddenSize, projSize, numLayers, bidirectional, bias,
                    dtype);
        }
    }

    /**
     * Why the stack does not run fused on {@code be} ({@link RecurrentStack}), or "" when it does.
     * Inter-layer dropout in training stays on the layer-by-layer path, so that its masks come from
     * the layer's {@link Generator} as everywhere else in the library (cuDNN would draw its own).
     */
    static String fusedUnavailable(Config cfg, Backend be, DType dtype, boolean training) {
        if (training && cfg.dropout() > 0 && cfg.numLayers() > 1) {
            return "inter-layer dropout in training draws its masks from the layer's generator, layer by layer";
        }
        return RecurrentStack.unsupported(be, cfg.spec(dtype));
    }

    /**
     * One step from the input projection {@code xw} = x W_ihᵀ + b_ih [B, gates·H] and the state
     * (h [B, out], c [B, H] for the LSTM, else null); returns the new {h, c} (c null but for the LSTM).
     */
    static Tensor[] step(Mode mode, Tensor xw, Tensor h, Tensor c, Tensor wHh, Tensor bHh, Tensor wHr) {
        try (Tensor hw = LinearAlgebra.linear(h, wHh, bHh)) {
            switch (mode) {
                case RNN_TANH, RNN_RELU -> {
                    try (Tensor pre = xw.add(hw)) {
                        return new Tensor[] {mode == Mode.RNN_TANH ? pre.tanh() : pre.relu(), null};
                    }
                }
                case LSTM -> {
                    Tensor[] hc;
                    try (Tensor gates = xw.add(hw)) {
                        hc = RecurrentCells.lstmCell(gates, c);
                    }
                    if (wHr == null) {
                        return hc;
                    }
                    try (Tensor hFull = hc[0]) {
                        return new Tensor[] {LinearAlgebra.linear(hFull, wHr, null), hc[1]};
                    } catch (RuntimeException | Error e) {
                        hc[1].close();
                        throw e;
                    }
                }
                case GRU -> {
                    return new Tensor[] {RecurrentCells.gruCell(xw, hw, h), null};
                }
                default -> throw new AssertionError(mode);
            }
        }
    }

    /**
     * Runs the layers over a batched input ([T, B, in], or [B, T, in] with batch-first). The weights
     * are in PyTorch's flat order (per layer, per direction: weight_ih, weight_hh, [bias_ih,
     * bias_hh], [weight_hr]); h0 [L·D, B, out] and c0 [L·D, B, H] may be null (zeros); lengths
     * (each in 1..T) may be null (all T). Arguments are assumed checked by the caller.
     */
    static RNNOutput run(Config cfg, Tensor input, Tensor h0, Tensor c0, long[] lengths, List<Tensor> weights, boolean training,
                         Generator gen, RecurrentWeightSpace space) {
        if (fusedUnavailable(cfg, input.backend(), input.dtype(), training).isEmpty()) {
            return fused(cfg, input.backend().fusedRecurrence(), input, h0, c0, lengths, weights, space);
        }
        int timeDim = cfg.batchFirst() ? 1 : 0;
        long steps = input.size(timeDim);
        long batch = input.size(1 - timeDim);
        boolean lstm = cfg.mode() == Mode.LSTM;
        int dirs = cfg.directions();
        List<Tensor> finalH = new ArrayList<>();
        List<Tensor> finalC = new ArrayList<>();
        Tensor active = null;
        Tensor zero = null;
        boolean[] allActive = new boolean[(int) steps];
        Tensor layerInput = input;
        try {
            if (lengths != null) {
                boolean[] mask = new boolean[(int) (steps * batch)];
                for (int t = 0; t < steps; t++) {
                    allActive[t] = true;
                    for (int b = 0; b < batch; b++) {
                        mask[(int) (t * batch + b)] = t < lengths[b];
                        allActive[t] &= t < lengths[b];
                    }
                }
                try (Tensor m = Tensor.of(mask, steps, batch, 1)) {
                    active = m.device().equals(input.device()) ? m.alias() : m.to(input.device());
                }
                zero = Tensor.full(Shape.scalar(), 0, input.dtype(), input.device());
            } else {
                java.util.Arrays.fill(allActive, true);
            }
            for (int layer = 0; layer < cfg.numLayers(); layer++) {
                List<Tensor> dirOutputs = new ArrayList<>(dirs);
                try {
                    for (int dir = 0; dir < dirs; dir++) {
                        int base = (layer * dirs + dir) * cfg.weightsPerDirection();
                        Tensor wIh = weights.get(base);
                        Tensor wHh = weights.get(base + 1);
                        Tensor bIh = cfg.bias() ? weights.get(base + 2) : null;
                        Tensor bHh = cfg.bias() ? weights.get(base + 3) : null;
                        Tensor wHr = cfg.projSize() > 0 ? weights.get(base + cfg.weightsPerDirection() - 1) : null;
                        int index = layer * dirs + dir;
                        Tensor h = h0 == null ? zeros(input, batch, cfg.outSize()) : h0.select(0, index);
                        Tensor c = !lstm ? null : c0 == null ? zeros(input, batch, cfg.hiddenSize()) : c0.select(0, index);
                        Tensor[] last = direction(cfg.mode(), layerInput, timeDim, steps, batch, dir == 1, h, c, wIh, wHh, bIh, bHh, wHr,
                                active, zero, allActive, dirOutputs);
                        finalH.add(last[0]);
                        if (lstm) {
                            finalC.add(last[1]);
                        }
                    }
                    Tensor out = dirOutputs.size() == 1 ? dirOutputs.get(0).alias() : Tensor.cat(dirOutputs, 2);
                    if (layer < cfg.numLayers() - 1 && cfg.dropout() > 0 && training) {
                        Tensor dropped = Regularization.dropout(out, cfg.dropout(), true, gen);
                        out.close();
                        out = dropped;
                    }
                    if (layerInput != input) {
                        layerInput.close();
                    }
                    layerInput = out;
                } finally {
                    dirOutputs.forEach(Tensor::close);
                }
            }
            Tensor output = layerInput;
            layerInput = input;
            Tensor hN = Tensor.stack(finalH, 0);
            Tensor cN = lstm ? Tensor.stack(finalC, 0) : null;
            return new RNNOutput(output, hN, cN);
        } finally {
            if (layerInput != input) {
                layerInput.close();
            }
            finalH.forEach(Tensor::close);
            finalC.forEach(Tensor::close);
            if (active != null) {
                active.close();
                zero.close();
            }
        }
    }

    /** The stack as one {@link RecurrentStack} op on {@code fused} (the backend's; a stand-in in tests), on time-major data. */
    static RNNOutput fused(Config cfg, FusedRecurrence fused, Tensor input, Tensor h0, Tensor c0, long[] lengths, List<Tensor> weights,
                           RecurrentWeightSpace space) {
        try (Tensor x = cfg.batchFirst() ? input.transpose(0, 1) : input.alias()) {
            RecurrentStack.Result r = RecurrentStack.run(fused, cfg.spec(input.dtype()), x, h0, c0, lengths, weights, space);
            if (!cfg.batchFirst()) {
                return new RNNOutput(r.output(), r.hN(), r.cN());
            }
            try (Tensor timeMajor = r.output(); Tensor batchMajor = timeMajor.transpose(0, 1)) {
                return new RNNOutput(batchMajor.contiguous(), r.hN(), r.cN());
            }
        }
    }

    private static Tensor zeros(Tensor like, long batch, long size) {
        return Tensor.full(Shape.of(batch, size), 0, like.dtype(), like.device());
    }

    /**
     * One direction of one layer: adds its stacked output (layout of the input) to {@code outputs}
     * and returns its final {h, c}. Takes ownership of h and c. A step outside a sequence's length
     * keeps that sequence's state and outputs zero, so the forward pass ends at each sequence's last
     * step and the reverse pass starts there.
     */
    private static Tensor[] direction(Mode mode, Tensor x, int timeDim, long steps, long batch, boolean reverse, Tensor h, Tensor c,
                                      Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, Tensor wHr, Tensor active, Tensor zero,
                                      boolean[] allActive, List<Tensor> outputs) {
        long in = x.size(2);
        long gates = wIh.size(0);
        if ((mode != Mode.LSTM || wHr == null) && steps > 0 && all(allActive)) {
            return sequence(mode, x, timeDim, steps, batch, reverse, h, c, wIh, wHh, bIh, bHh, outputs);
        }
        List<Tensor> stepOutputs = new ArrayList<>((int) steps);
        // h may also be the last element of stepOutputs; it is then closed with them, not on its own
        boolean hShared = false;
        try (Tensor flat = x.reshape(steps * batch, in); Tensor proj = LinearAlgebra.linear(flat, wIh, bIh);
             Tensor projSteps = proj.view(timeDim == 0 ? new long[] {steps, batch, gates} : new long[] {batch, steps, gates})) {
            for (long k = 0; k < steps; k++) {
                long t = reverse ? steps - 1 - k : k;
                Tensor[] next;
                try (Tensor xw = projSteps.select(timeDim, t)) {
                    next = step(mode, xw, h, c, wHh, bHh, wHr);
                }
                if (allActive[(int) t]) {
                    stepOutputs.add(next[0]);
                    if (!hShared) {
                        h.close();
                    }
                    h = next[0];
                    hShared = true;
                    if (c != null) {
                        c.close();
                        c = next[1];
                    }
                } else {
                    try (Tensor m = active.select(0, t)) {
                        stepOutputs.add(Tensor.where(m, next[0], zero));
                        Tensor kept = Tensor.where(m, next[0], h);
                        next[0].close();
                        if (!hShared) {
                            h.close();
                        }
                        h = kept;
                        hShared = false;
                        if (c != null) {
                            Tensor keptC = Tensor.where(m, next[1], c);
                            next[1].close();
                            c.close();
                            c = keptC;
                        }
                    }
                }
            }
            if (reverse) {
                Collections.reverse(stepOutputs);
            }
            outputs.add(Tensor.stack(stepOutputs, timeDim));
            Tensor hLast = hShared ? h.alias() : h;
            h = null;
            return new Tensor[] {hLast, c};
        } catch (RuntimeException | Error e) {
            if (h != null && !hShared) {
                h.close();
            }
            if (c != null) {
                c.close();
            }
            throw e;
        } finally {
            stepOutputs.forEach(Tensor::close);
        }
    }

    private static boolean all(boolean[] flags) {
        for (boolean f : flags) {
            if (!f) {
                return false;
            }
        }
        return true;
    }

    /**
     * A direction whose steps are all active (an LSTM one without projection) as one op
     * ({@link RecurrentCells#lstmSequence}, {@link RecurrentCells#gruSequence},
     * {@link RecurrentCells#rnnSequence}): one GEMM for the input projection, then per step one
     * GEMM and one fused gate (or activation) kernel, and a backward through
     * time into buffers allocated once. Takes ownership of h and c (null for the GRU). The LSTM and
     * the RNN add b_ih and b_hh in the same place, so they get their sum once, in the step, instead
     * of a pass of its own over the input projection (the GRU's b_hn sits inside r·(...)).
     */
    private static Tensor[] sequence(Mode mode, Tensor x, int timeDim, long steps, long batch, boolean reverse, Tensor h, Tensor c,
                                     Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, List<Tensor> outputs) {
        long gates = wIh.size(0);
        boolean lstm = mode == Mode.LSTM;
        boolean gru = mode == Mode.GRU;
        try (h; c; Tensor flat = x.reshape(steps * batch, x.size(2)); Tensor proj = LinearAlgebra.linear(flat, wIh, gru ? bIh : null);
             Tensor bias = gru || bIh == null ? null : bIh.add(bHh);
             Tensor projSteps = proj.view(timeDim == 0 ? new long[] {steps, batch, gates} : new long[] {batch, steps, gates});
             Tensor timeMajor = timeDim == 0 ? projSteps.alias() : projSteps.transpose(0, 1);
             Tensor y = switch (mode) {
                 case LSTM -> RecurrentCells.lstmSequence(timeMajor, h, c, wHh, bias, reverse);
                 case GRU -> RecurrentCells.gruSequence(timeMajor, h, wHh, bHh, reverse);
                 case RNN_TANH, RNN_RELU -> RecurrentCells.rnnSequence(timeMajor, h, wHh, bias, mode == Mode.RNN_RELU, reverse);
             };
             Tensor hs = lstm ? y.select(0, 0) : y.alias(); Tensor cs = lstm ? y.select(0, 1) : null) {
            long last = reverse ? 0 : steps - 1;
            Tensor hLast = hs.select(0, last);
            try {
                if (timeDim == 0) {
                    outputs.add(hs.alias());
                } else {
                    try (Tensor batchMajor = hs.transpose(0, 1)) {
                        outputs.add(batchMajor.contiguous());
                    }
                }
                return new Tensor[] {hLast, lstm ? cs.select(0, last) : null};
            } catch (RuntimeException | Error e) {
                hLast.close();
                throw e;
            }
        }
    }

    /** A cell's step on a batched input [B, in] with batched state. */
    static Tensor[] cell(Mode mode, Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        try (Tensor xw = LinearAlgebra.linear(x, wIh, bIh)) {
            return step(mode, xw, h, c, wHh, bHh, null);
        }
    }
}
