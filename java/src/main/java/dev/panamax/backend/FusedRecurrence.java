package dev.panamax.backend;

/**
 * A whole stack of recurrent layers in one library call per pass (cuDNN's RNN API), which a
 * backend may offer ({@link Backend#fusedRecurrence}); ops then run the stack through it instead
 * of layer by layer. Every operand is dense, of the spec's dtype. Per call, {@code lengths} holds
 * one length per sequence of the batch, each in 1..T; the steps of a sequence past its length take
 * no part: its outputs there are zero, its final states are those of its last step, and its
 * reverse direction starts there.
 */
public interface FusedRecurrence {
    /** Why this backend cannot run {@code spec} whole (a library it lacks, a configuration it refuses), or "" when it can. */
    String unsupported(RecurrentSpec spec);

    /** The weight space layout of {@code spec}. */
    RecurrentWeights weights(RecurrentSpec spec);

    /** The bytes of reserve space a training forward over {@code steps} steps and these lengths leaves for its backward. */
    long reserveBytes(RecurrentSpec spec, long steps, int[] lengths);

    /**
     * The forward pass over x [T, B, in] from h0 [L·D, B, out] and, for the LSTM, c0 [L·D, B, H]
     * (either null: zeros), with the parameters in {@code weights} ({@link #weights} layout):
     * y [T, B, D·out], hy [L·D, B, out] and, for the LSTM, cy [L·D, B, H] (else null).
     * {@code reserve} (at least {@link #reserveBytes}) is null for inference, else it keeps what
     * the backward needs.
     */
    void forward(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand c0, Operand weights, Operand y, Operand hy,
                 Operand cy, Operand reserve);

    /**
     * The gradients of a training forward's inputs from those of its outputs: dx, and dh0 and dc0
     * when h0 and c0 were given (else null). dy, dhy and dcy (null unless LSTM) are read; the
     * forward's y, weights and reserve are passed again. Must precede {@link #backwardWeights}.
     */
    void backwardData(RecurrentSpec spec, int[] lengths, Operand y, Operand dy, Operand h0, Operand dhy, Operand c0, Operand dcy,
                      Operand weights, Operand reserve, Operand dx, Operand dh0, Operand dc0);

    /** Adds the weight gradients of the same forward to {@code dWeights} (the {@link #weights} layout), after {@link #backwardData}. */
    void backwardWeights(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand y, Operand reserve, Operand dWeights);
}
