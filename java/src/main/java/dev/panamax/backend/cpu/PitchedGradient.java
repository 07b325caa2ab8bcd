package dev.panamax.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The output gradient of a run of output rows, copied into a heap array in the layout of
 * {@link PixelVectors}: channel k's row r starts at {@code k·stride + r·pitch}, and everything else
 * (past each row's q columns, past the last row, in padding channels) is zero, so the row-vector
 * kernels load it in whole vectors.
 */
final class PitchedGradient {
    private PitchedGradient() {}

    /**
     * Output rows [firstRow, firstRow + rows) of gy channels [0, channels) (dense float32, channel 0
     * of the image and group at element gyGroup), as {@code padded} channels of {@code vectors.stride()} floats.
     */
    static float[] copy(ConvProblem pr, PixelVectors vectors, int firstRow, int rows, int channels, int padded,
                        MemorySegment gy, long gyGroup, ConvScratch scratch) {
        int stride = vectors.stride();
        float[] values = scratch.out(padded * stride);
        Arrays.fill(values, 0, padded * stride, 0f);
        float[] staging = scratch.staging(rows * pr.q());
        for (int k = 0; k < channels; k++) {
            long src = gyGroup + ((long) k * pr.p() + firstRow) * pr.q();
            MemorySegment.copy(gy, ValueLayout.JAVA_FLOAT, src * Float.BYTES, staging, 0, rows * pr.q());
            for (int row = 0; row < rows; row++) {
                System.arraycopy(staging, row * pr.q(), values, k * stride + row * vectors.pitch(), pr.q());
            }
        }
        return values;
    }
}
