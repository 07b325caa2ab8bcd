package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.FusedRecurrence;
import dev.panamax.backend.Operand;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.backend.RecurrentWeights;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole stack of recurrent layers as one differentiable op on a backend's
 * {@link FusedRecurrence} (cuDNN's RNN API): one forward call for every layer and direction, and
 * a backward of one data-gradient and one weight-gradient call. The parameters reach the backend
 * through a {@link RecurrentWeightSpace} that is refilled only when they change; their gradients
 * are cut back out of the gradient space into each parameter's own layout. Equations, gate order
 * and variable-length semantics are those of the layer-by-layer path (PyTorch's).
 */
public final class RecurrentStack {
    /** y, h_n and c_n start this many elements apart at least, so cuDNN sees each aligned as a fresh allocation (256 bytes). */
    private static final long ALIGN = 64;

    private RecurrentStack() {}

    /** The output [T, B, D·out], h_n [L·D, B, out] and (LSTM) c_n [L·D, B, H], views of one result. */
    public record Result(Tensor output, Tensor hN, Tensor cN) {}

    /**
     * Why {@code spec} cannot run fused on {@code be}, or "" when it can: the backend has no fused
     * recurrence, or refuses the spec (its library is missing, the configuration unsupported).
     */
    public static String unsupported(Backend be, RecurrentSpec spec) {
        if (spec.dtype() != DType.FLOAT32 && spec.dtype() != DType.FLOAT64) {
            return "the fused recurrence takes float32 and float64, got " + spec.dtype().pyName();
        }
        FusedRecurrence fused = be.fusedRecurrence();
        return fused == null ? "the " + be.device() + " backend has no fused recurrence" : fused.unsupported(spec);
    }

    /**
     * Runs the stack.
     *
     * @param x       [T, B, in], time-major, T &gt; 0
     * @param h0      [L·D, B, out] or null (zeros)
     * @param c0      LSTM only: [L·D, B, H] or null (zeros)
     * @param lengths one per sequence, each in 1..T, or null (all T)
     * @param params  the parameters in the spec's flat order, contiguous, on x's device and of its dtype
     * @param space   the caller's weight space, kept between calls
     * @throws IllegalArgumentException naming the argument at fault and the shapes expected and given
     */
    public static Result run(RecurrentSpec spec, Tensor x, Tensor h0, Tensor c0, long[] lengths, List<Tensor> params,
                             RecurrentWeightSpace space) {
        String why = unsupported(OpSupport.backend("recurrentStack", x), spec);
        if (!why.isEmpty()) {
            throw new IllegalStateException("recurrentStack: cannot run fused: " + why);
        }
        return run(x.backend().fusedRecurrence(), spec, x, h0, c0, lengths, params, space);
    }

    /**
     * {@link #run(RecurrentSpec, Tensor, Tensor, Tensor, long[], List, RecurrentWeightSpace)} on
     * {@code fused}, the backend's or a stand-in for it (tests check this op's plumbing on the CPU
     * with a reference implementation of the contract).
     */
    public static Result run(FusedRecurrence fused, RecurrentSpec spec, Tensor x, Tensor h0, Tensor c0, long[] lengths, List<Tensor> params,
                             RecurrentWeightSpace space) {
        String op = "recurrentStack";
        int[] lens = check(op, spec, x, h0, c0, lengths, params);
        Backend be = OpSupport.backend(op, x, h0, c0);
        RecurrentWeights layout = fused.weights(spec);
        long steps = x.size(0);
        long batch = x.size(1);
        long states = (long) spec.numLayers() * spec.directions();
        long width = spec.directions() * spec.outSize();
        long yN = steps * batch * width;
        long hN = states * batch * spec.outSize();
        long cN = spec.cell() == RecurrentSpec.Cell.LSTM ? states * batch * spec.hiddenSize() : 0;
        long hAt = aligned(yN);
        long cAt = hAt + aligned(hN);
        Tensor[] inputs = new Tensor[3 + params.size()];
        for (int i = 0; i < params.size(); i++) {
            inputs[3 + i] = params.get(i);
        }
        Tensor packed = null;
        Tensor reserve = null;
        Tensor w = null;
        try {
            inputs[0] = x.contiguous();
            inputs[1] = h0 == null ? null : h0.contiguous();
            inputs[2] = c0 == null ? null : c0.contiguous();
            boolean training = Autograd.willRecord(inputs);
            w = space.current(be, spec, layout, params);
            packed = OpSupport.empty(x, Shape.of(cAt + cN), spec.dtype());
            Operand p = packed.operand();
            Operand y = p.withLayout(new long[] {steps, batch, width}, new long[] {batch * width, width, 1}, p.offset());
            Operand hy = states3(p, hAt, states, batch, spec.outSize());
            Operand cy = cN == 0 ? null : states3(p, cAt, states, batch, spec.hiddenSize());
            if (training) {
                long bytes = fused.reserveBytes(spec, steps, lens);
                reserve = OpSupport.empty(x, Shape.of(Math.max(1, ceilDiv(bytes, spec.dtype().byteSize()))), spec.dtype());
            }
            fused.forward(spec, lens, inputs[0].operand(), operand(inputs[1]), operand(inputs[2]), w.operand(), y, hy, cy, operand(reserve));
            if (training) {
                // views the node owns: the backward reads this forward's outputs and weights, and a
                // space a graph still reads is never refilled (RecurrentWeightSpace)
                Tensor ySaved = packed.viewOf(Shape.of(y.shape()), y.strides(), y.offset());
                Tensor wSaved = w.viewOf(w.shape(), w.strides(), w.storageOffset());
                Tensor res = reserve;
                Autograd.record("RecurrentStackBackward", packed, (g, needs) -> {
                    OpSupport.noHigherOrder("RecurrentStackBackward");
                    // a dense copy unless g starts where a fresh allocation would (the offsets of its parts are aligned from there)
                    boolean asIs = g.isContiguous() && g.dtype() == spec.dtype() && g.storageOffset() == 0;
                    try (Tensor gd = asIs ? g.alias() : ShapeOps.convert(g, spec.dtype())) {
                        return backward(fused, spec, layout, lens, inputs, params, ySaved, wSaved, res, gd, hAt, cN == 0 ? -1 : cAt, needs);
                    }
                }, inputs);
                reserve = null;
                OpSupport.saveForBackward(packed, ySaved, wSaved, res);
            }
            Tensor output = packed.narrow(0, 0, yN).view(y.shape());
            Tensor hOut = packed.narrow(0, hAt, hN).view(hy.shape());
            Tensor cOut = cN == 0 ? null : packed.narrow(0, cAt, cN).view(cy.shape());
            return new Result(output, hOut, cOut);
        } finally {
            // the result's views keep its memory and node; the graph keeps the inputs it reads
            for (Tensor t : new Tensor[] {packed, reserve, w, inputs[0], inputs[1], inputs[2]}) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    /** {dx, dh0, dc0, one gradient per parameter}, from g, the gradient of the forward's result (dh_n at hAt, dc_n at cAt, -1 without). */
    private static Tensor[] backward(FusedRecurrence fused, RecurrentSpec spec, RecurrentWeights layout, int[] lens, Tensor[] inputs,
                                     List<Tensor> params, Tensor y, Tensor w, Tensor reserve, Tensor g, long hAt, long cAt,
                                     boolean[] needs) {
        Tensor x = inputs[0];
        Tensor h0 = inputs[1];
        Tensor c0 = inputs[2];
        Operand go = g.operand();
        Operand yo = y.operand();
        Tensor[] grads = new Tensor[inputs.length];
        try {
            grads[0] = OpSupport.empty(x, x.shape(), spec.dtype());
            grads[1] = h0 == null ? null : OpSupport.empty(h0, h0.shape(), spec.dtype());
            grads[2] = c0 == null ? null : OpSupport.empty(c0, c0.shape(), spec.dtype());
            long states = (long) spec.numLayers() * spec.directions();
            long batch = x.size(1);
            Operand dy = go.withLayout(yo.shape(), yo.strides(), go.offset());
            Operand dhy = states3(go, hAt, states, batch, spec.outSize());
            Operand dcy = cAt < 0 ? null : states3(go, cAt, states, batch, spec.hiddenSize());
            fused.backwardData(spec, lens, yo, dy, operand(h0), dhy, operand(c0), dcy, w.operand(), reserve.operand(),
                    grads[0].operand(), operand(grads[1]), operand(grads[2]));
            if (anyParameterNeeded(needs)) {
                try (Tensor dw = Tensor.full(Shape.of(layout.elements()), 0, spec.dtype(), x.device())) {
                    Operand dwo = dw.operand();
                    fused.backwardWeights(spec, lens, x.operand(), operand(h0), yo, reserve.operand(), dwo);
                    for (int i = 0; i < params.size(); i++) {
                        if (needs[3 + i]) {
                            grads[3 + i] = OpSupport.empty(params.get(i), params.get(i).shape(), spec.dtype());
                        }
                    }
                    Backend be = x.backend();
                    for (RecurrentWeights.Block b : layout.blocks()) {
                        Tensor gp = grads[3 + b.param()];
                        if (gp != null) {
                            be.copy(RecurrentWeightSpace.slice(dwo, b.spaceOffset(), b.count()),
                                    RecurrentWeightSpace.slice(gp.operand(), b.paramOffset(), b.count()));
                        }
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            Arrays.stream(grads).filter(t -> t != null).forEach(Tensor::close);
            throw e;
        }
        for (int i = 0; i < 3; i++) {
            if (!needs[i] && grads[i] != null) {
                grads[i].close();
                grads[i] = null;
            }
        }
        return grads;
    }

    private static boolean anyParameterNeeded(boolean[] needs) {
        for (int i = 3; i < needs.length; i++) {
            if (needs[i]) {
                return true;
            }
        }
        return false;
    }

    /** [states, batch, size] of a dense buffer from element {@code at}. */
    private static Operand states3(Operand buffer, long at, long states, long batch, long size) {
        return buffer.withLayout(new long[] {states, batch, size}, new long[] {batch * size, size, 1}, buffer.offset() + at);
    }

    private static long aligned(long elements) {
        return (elements + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static Operand operand(Tensor t) {
        return t == null ? null : t.operand();
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** The argument checks; returns the lengths as the backend takes them. */
    private static int[] check(String op, RecurrentSpec spec, Tensor x, Tensor h0, Tensor c0, long[] lengths, List<Tensor> params) {
        if (x.rank() != 3 || x.size(2) != spec.inputSize() || x.size(0) == 0 || x.size(1) == 0) {
            throw new IllegalArgumentException(op + ": x must be [T, B, " + spec.inputSize() + "] with T, B > 0, got " + x.shape());
        }
        long steps = x.size(0);
        long batch = x.size(1);
        long states = (long) spec.numLayers() * spec.directions();
        checkState(op, "h0", h0, x, states, batch, spec.outSize(), spec);
        if (c0 != null && spec.cell() != RecurrentSpec.Cell.LSTM) {
            throw new IllegalArgumentException(op + ": c0 is an LSTM argument; a " + spec.cell() + " stack has no cell state");
        }
        checkState(op, "c0", c0, x, states, batch, spec.hiddenSize(), spec);
        int expected = spec.numLayers() * spec.directions() * spec.weightsPerDirection();
        if (params.size() != expected) {
            throw new IllegalArgumentException(op + ": expected " + expected + " parameters for " + spec + ", got " + params.size());
        }
        long gates = spec.cell().gates() * spec.hiddenSize();
        for (int i = 0; i < params.size(); i++) {
            int layer = i / (spec.directions() * spec.weightsPerDirection());
            int k = i % spec.weightsPerDirection();
            long[] shape = k == 0 ? new long[] {gates, spec.layerInputSize(layer)} : k == 1 ? new long[] {gates, spec.outSize()}
                    : spec.bias() && k < 4 ? new long[] {gates} : new long[] {spec.projSize(), spec.hiddenSize()};
            Tensor p = params.get(i);
            if (!Arrays.equals(p.shape().toArray(), shape) || p.dtype() != spec.dtype() || !p.device().equals(x.device()) || !p.isContiguous()) {
                throw new IllegalArgumentException(op + ": parameter " + i + " must be a contiguous " + spec.dtype().pyName() + " tensor of shape "
                        + Arrays.toString(shape) + " on " + x.device() + ", got " + p.describe() + (p.isContiguous() ? "" : " (not contiguous)"));
            }
        }
        if (lengths != null && lengths.length != batch) {
            throw new IllegalArgumentException(op + ": lengths must have " + batch + " entries for x " + x.shape() + ", got " + lengths.length);
        }
        int[] lens = new int[(int) batch];
        for (int b = 0; b < batch; b++) {
            long len = lengths == null ? steps : lengths[b];
            if (len < 1 || len > steps) {
                throw new IllegalArgumentException(op + ": lengths[" + b + "] = " + len + " is out of range 1.." + steps + " for x " + x.shape());
            }
            lens[b] = (int) len;
        }
        return lens;
    }

    private static void checkState(String op, String name, Tensor state, Tensor x, long states, long batch, long size, RecurrentSpec spec) {
        if (state != null && (!Arrays.equals(state.shape().toArray(), new long[] {states, batch, size}) || state.dtype() != spec.dtype())) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + spec.dtype().pyName() + " [" + states + ", " + batch + ", " + size
                    + "] (layers·directions, batch, size) for x " + x.shape() + ", got " + state.describe());
        }
    }
}
