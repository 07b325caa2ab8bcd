package dev.panamax.backend.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Writes results into C: {@code C = alpha * tile + beta * C}. With {@code beta == 0} C is never read, so
 * garbage (NaN) in it does not leak into the result.
 *
 * <p>The vector and scalar paths compute the same expression, {@code fma(C, beta, alpha * t)}, so an element
 * gets the same bits whichever path (or thread split) writes it.
 */
final class CUpdate {
    private static final VectorSpecies<Float> S = KernelShape.SPECIES;
    private static final int L = KernelShape.LANES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private CUpdate() {}

    /** Updates C(i0 + r, j0 + j) from {@code tile[r * tileStride + j]} for r < rows, j < cols. */
    static void storeTile(float[] tile, int tileStride, int rows, int cols, float alpha, float beta,
                          FloatMatrix c, long i0, long j0) {
        if (c.colStride() == 1) {
            for (int r = 0; r < rows; r++) {
                storeRowContiguous(tile, r * tileStride, cols, alpha, beta, c.segment(), c.index(i0 + r, j0) * Float.BYTES);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float scaled = alpha * tile[r * tileStride + j];
                c.set(i0 + r, j0 + j, beta == 0 ? scaled : Math.fma(c.get(i0 + r, j0 + j), beta, scaled));
            }
        }
    }

    /** The tile row is padded to whole vectors, so only the C side needs a mask. */
    private static void storeRowContiguous(float[] tile, int t, int cols, float alpha, float beta,
                                           MemorySegment c, long byteOffset) {
        FloatVector betas = FloatVector.broadcast(S, beta);
        for (int j = 0; j < cols; j += L) {
            long at = byteOffset + (long) j * Float.BYTES;
            FloatVector scaled = FloatVector.fromArray(S, tile, t + j).mul(alpha);
            if (j + L <= cols) {
                FloatVector out = beta == 0 ? scaled : FloatVector.fromMemorySegment(S, c, at, ORDER).fma(betas, scaled);
                out.intoMemorySegment(c, at, ORDER);
            } else {
                VectorMask<Float> inside = S.indexInRange(j, cols);
                FloatVector out = beta == 0 ? scaled
                        : FloatVector.fromMemorySegment(S, c, at, ORDER, inside).fma(betas, scaled);
                out.intoMemorySegment(c, at, ORDER, inside);
            }
        }
    }

    /** C = beta * C over m x n; {@code beta == 0} writes zeros without reading. */
    static void scale(FloatMatrix c, int m, int n, float beta) {
        if (beta == 1) {
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c.set(i, j, beta == 0 ? 0f : beta * c.get(i, j));
            }
        }
    }
}
