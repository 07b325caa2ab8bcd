package dev.panamax.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The output gradient of a run of output rows, copied into a heap array in the row pitch of the
 * row-vector kernels ({@link RowVectorConv#pitch}): channel k's row r starts at
 * {@code k·stride + r·pitch}, and everything else (past each row's q columns, past the last row,
 * in padding channels) is zero, so the kernels load it in whole vectors. For each of its vectors
 * it also gives the offset of the vector's first pixel in an {@link InputBand} and the mask of
 * its lanes that are real output pixels.
 */
final class PitchedGradient {
    private static final int L = ConvMicroKernels.L;

    /** Vectors of pixels per channel. */
    final int units;
    /** Floats per channel: units rounded up to whole calls of the kernel that reads them. */
    final int stride;
    final float[] values;
    /** Offset in the band of vector u's first pixel. */
    final int[] base;
    /** Bit l of lanes[u]: lane l of vector u is an output pixel. */
    final long[] lanes;

    /**
     * Output rows [firstRow, firstRow + rows) of gy channels [0, channels) (dense float32, channel 0
     * of the image and group at element gyGroup), as {@code padded} channels; vector offsets count
     * band rows from output row {@code bandRow}; {@code unitsPerCall} vectors are read per call.
     */
    PitchedGradient(ConvProblem pr, InputBand band, int firstRow, int rows, int bandRow, int channels, int padded,
                    int unitsPerCall, MemorySegment gy, long gyGroup, ConvScratch scratch) {
        int pitch = RowVectorConv.pitch(pr, band);
        units = RowVectorConv.ceilDiv(rows * pitch, L);
        stride = RowVectorConv.roundUp(units, unitsPerCall) * L;
        values = scratch.out(padded * stride);
        Arrays.fill(values, 0, padded * stride, 0f);
        float[] staging = scratch.staging(rows * pr.q());
        for (int k = 0; k < channels; k++) {
            long src = gyGroup + ((long) k * pr.p() + firstRow) * pr.q();
            MemorySegment.copy(gy, ValueLayout.JAVA_FLOAT, src * Float.BYTES, staging, 0, rows * pr.q());
            for (int row = 0; row < rows; row++) {
                System.arraycopy(staging, row * pr.q(), values, k * stride + row * pitch, pr.q());
            }
        }
        base = scratch.offsets(units);
        lanes = scratch.masks(units);
        for (int u = 0; u < units; u++) {
            int f = u * L;
            base[u] = band.pixel(firstRow - bandRow + f / pitch, f % pitch);
            long bits = 0;
            for (int l = 0; l < L; l++) {
                if (f + l < rows * pitch && (f + l) % pitch < pr.q()) {
                    bits |= 1L << l;
                }
            }
            lanes[u] = bits;
        }
    }
}
