package dev.panamax.nn;

import dev.panamax.tensor.Tensor;

/** The shape checks and table slicing shared by the positional encodings. */
final class PositionalChecks {
    private PositionalChecks() {}

    /**
     * The first L rows of {@code table} (maxLen, dModel), shaped to broadcast against x: (L, 1,
     * dModel) for sequence-first x, (L, dModel) for batch-first or unbatched x.
     */
    static Tensor rows(String layer, Tensor x, Tensor table, long dModel, long maxLen, boolean batchFirst) {
        if ((x.rank() != 2 && x.rank() != 3) || x.size(-1) != dModel) {
            throw new IllegalArgumentException(layer + ": expected input (L, N, " + dModel + "), (N, L, " + dModel + ") with batch_first, or ("
                    + "L, " + dModel + "), got " + x.shape());
        }
        int seqDim = x.rank() == 3 && !batchFirst ? 0 : x.rank() - 2;
        long len = x.size(seqDim);
        if (len > maxLen) {
            throw new IllegalArgumentException(layer + ": the sequence length " + len + " (dim " + seqDim + " of " + x.shape()
                    + ") exceeds max_len " + maxLen);
        }
        Tensor r = table.narrow(0, 0, len);
        if (x.rank() == 3 && !batchFirst) {
            try (r) {
                return r.unsqueeze(1);
            }
        }
        return r;
    }
}
