package dev.panamax.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked FMA kernels of the direct convolutions. Each is a small matrix product
 * whose one operand is packed and whose other is gathered from an {@link InputBand} through an
 * offset table, so no im2col matrix is ever written. Each kernel is its own method, compiled out
 * of line with every accumulator in a vector register (24 or 12 of the 32 that AVX-512 has).
 */
final class ConvMicroKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output channels per call of {@link #packedRowsGatheredVectors}. */
    static final int ROWS = 6;
    /** Vectors of output pixels per call of {@link #packedRowsGatheredVectors}. */
    static final int VECTORS = 4;
    /** Taps per call of {@link #packedRowsDotGatheredVectors}. */
    static final int DOT_TAPS = 3;
    /** Shapes of the gathered-rows kernels: rows of x gathered per call times vectors of b. */
    enum Gathered {
        ROWS12_VECTORS1(12, 1),
        ROWS6_VECTORS4(6, 4);

        final int rows;
        final int vectors;

        Gathered(int rows, int vectors) {
            this.rows = rows;
            this.vectors = vectors;
        }

        /** Lanes of b per call. */
        int lanes() {
            return vectors * L;
        }
    }

    private ConvMicroKernels() {}

    /**
     * Output channels in registers, output pixels in lanes: for i < 6 and v < 4,
     * {@code c[cOff + i·cRow + v·L ..+L) = sum over t < taps of a[aOff + t·6 + i] · x[base_v + off[t] ..+L)},
     * where a holds 6 channels' weights tap by tap and base_v is where vector v's pixels start.
     */
    static void packedRowsGatheredVectors(int taps, float[] a, int aOff, int[] off, float[] x,
                                          int base0, int base1, int base2, int base3, float[] c, int cOff, int cRow) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c02 = FloatVector.zero(S);
        FloatVector c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S);
        FloatVector c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c22 = FloatVector.zero(S);
        FloatVector c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c32 = FloatVector.zero(S);
        FloatVector c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c42 = FloatVector.zero(S);
        FloatVector c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c52 = FloatVector.zero(S);
        FloatVector c53 = FloatVector.zero(S);
        for (int t = 0; t < taps; t++) {
            int o = off[t];
            FloatVector x0 = FloatVector.fromArray(S, x, base0 + o);
            FloatVector x1 = FloatVector.fromArray(S, x, base1 + o);
            FloatVector x2 = FloatVector.fromArray(S, x, base2 + o);
            FloatVector x3 = FloatVector.fromArray(S, x, base3 + o);
            int at = aOff + t * 6;
            FloatVector a0 = FloatVector.broadcast(S, a[at]);
            c00 = a0.fma(x0, c00);
            c01 = a0.fma(x1, c01);
            c02 = a0.fma(x2, c02);
            c03 = a0.fma(x3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[at + 1]);
            c10 = a1.fma(x0, c10);
            c11 = a1.fma(x1, c11);
            c12 = a1.fma(x2, c12);
            c13 = a1.fma(x3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[at + 2]);
            c20 = a2.fma(x0, c20);
            c21 = a2.fma(x1, c21);
            c22 = a2.fma(x2, c22);
            c23 = a2.fma(x3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[at + 3]);
            c30 = a3.fma(x0, c30);
            c31 = a3.fma(x1, c31);
            c32 = a3.fma(x2, c32);
            c33 = a3.fma(x3, c33);
            FloatVector a4 = FloatVector.broadcast(S, a[at + 4]);
            c40 = a4.fma(x0, c40);
            c41 = a4.fma(x1, c41);
            c42 = a4.fma(x2, c42);
            c43 = a4.fma(x3, c43);
            FloatVector a5 = FloatVector.broadcast(S, a[at + 5]);
            c50 = a5.fma(x0, c50);
            c51 = a5.fma(x1, c51);
            c52 = a5.fma(x2, c52);
            c53 = a5.fma(x3, c53);
        }
        int row0 = cOff;
        c00.intoArray(c, row0);
        c01.intoArray(c, row0 + 1 * L);
        c02.intoArray(c, row0 + 2 * L);
        c03.intoArray(c, row0 + 3 * L);
        int row1 = cOff + 1 * cRow;
        c10.intoArray(c, row1);
        c11.intoArray(c, row1 + 1 * L);
        c12.intoArray(c, row1 + 2 * L);
        c13.intoArray(c, row1 + 3 * L);
        int row2 = cOff + 2 * cRow;
        c20.intoArray(c, row2);
        c21.intoArray(c, row2 + 1 * L);
        c22.intoArray(c, row2 + 2 * L);
        c23.intoArray(c, row2 + 3 * L);
        int row3 = cOff + 3 * cRow;
        c30.intoArray(c, row3);
        c31.intoArray(c, row3 + 1 * L);
        c32.intoArray(c, row3 + 2 * L);
        c33.intoArray(c, row3 + 3 * L);
        int row4 = cOff + 4 * cRow;
        c40.intoArray(c, row4);
        c41.intoArray(c, row4 + 1 * L);
        c42.intoArray(c, row4 + 2 * L);
        c43.intoArray(c, row4 + 3 * L);
        int row5 = cOff + 5 * cRow;
        c50.intoArray(c, row5);
        c51.intoArray(c, row5 + 1 * L);
        c52.intoArray(c, row5 + 2 * L);
        c53.intoArray(c, row5 + 3 * L);
    }

    /**
     * Gathered values in registers, output channels in lanes: for i < shape.rows,
     * {@code c[cOff + i·cRow ..+W) += sum over l < len of x[loop[l] + rows[rowsAt + i]] · b[bOff + l·ldb ..+W)}
     * with W = shape.lanes().
     * The forward pass gathers pixels (rows) over the taps (loop); the weight gradient taps (rows)
     * over the pixels (loop).
     */
    static void gatheredRows(Gathered shape, int len, float[] x, int[] rows, int rowsAt, int[] loop, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int cRow) {
        switch (shape) {
            case ROWS12_VECTORS1 -> gatheredRows12Vectors1(len, x, rows, rowsAt, loop, b, bOff, ldb, c, cOff, cRow);
            case ROWS6_VECTORS4 -> gatheredRows6Vectors4(len, x, rows, rowsAt, loop, b, bOff, ldb, c, cOff, cRow);
        }
    }

    /** {@link #gatheredRows} for 12 rows × 1 vector (16 output channels and fewer). */
    static void gatheredRows12Vectors1(int len, float[] x, int[] rows, int rowsAt, int[] loop, float[] b, int bOff, int ldb,
                                         float[] c, int cOff, int cRow) {
        int r0 = rows[rowsAt];
        int r1 = rows[rowsAt + 1];
        int r2 = rows[rowsAt + 2];
        int r3 = rows[rowsAt + 3];
        int r4 = rows[rowsAt + 4];
        int r5 = rows[rowsAt + 5];
        int r6 = rows[rowsAt + 6];
        int r7 = rows[rowsAt + 7];
        int r8 = rows[rowsAt + 8];
        int r9 = rows[rowsAt + 9];
        int r10 = rows[rowsAt + 10];
        int r11 = rows[rowsAt + 11];
        FloatVector c0 = FloatVector.fromArray(S, c, cOff);
        FloatVector c1 = FloatVector.fromArray(S, c, cOff + 1 * cRow);
        FloatVector c2 = FloatVector.fromArray(S, c, cOff + 2 * cRow);
        FloatVector c3 = FloatVector.fromArray(S, c, cOff + 3 * cRow);
        FloatVector c4 = FloatVector.fromArray(S, c, cOff + 4 * cRow);
        FloatVector c5 = FloatVector.fromArray(S, c, cOff + 5 * cRow);
        FloatVector c6 = FloatVector.fromArray(S, c, cOff + 6 * cRow);
        FloatVector c7 = FloatVector.fromArray(S, c, cOff + 7 * cRow);
        FloatVector c8 = FloatVector.fromArray(S, c, cOff + 8 * cRow);
        FloatVector c9 = FloatVector.fromArray(S, c, cOff + 9 * cRow);
        FloatVector c10 = FloatVector.fromArray(S, c, cOff + 10 * cRow);
        FloatVector c11 = FloatVector.fromArray(S, c, cOff + 11 * cRow);
        for (int l = 0; l < len; l++) {
            int o = loop[l];
            FloatVector v = FloatVector.fromArray(S, b, bOff + l * ldb);
            c0 = FloatVector.broadcast(S, x[o + r0]).fma(v, c0);
            c1 = FloatVector.broadcast(S, x[o + r1]).fma(v, c1);
            c2 = FloatVector.broadcast(S, x[o + r2]).fma(v, c2);
            c3 = FloatVector.broadcast(S, x[o + r3]).fma(v, c3);
            c4 = FloatVector.broadcast(S, x[o + r4]).fma(v, c4);
            c5 = FloatVector.broadcast(S, x[o + r5]).fma(v, c5);
            c6 = FloatVector.broadcast(S, x[o + r6]).fma(v, c6);
            c7 = FloatVector.broadcast(S, x[o + r7]).fma(v, c7);
            c8 = FloatVector.broadcast(S, x[o + r8]).fma(v, c8);
            c9 = FloatVector.broadcast(S, x[o + r9]).fma(v, c9);
            c10 = FloatVector.broadcast(S, x[o + r10]).fma(v, c10);
            c11 = FloatVector.broadcast(S, x[o + r11]).fma(v, c11);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + 1 * cRow);
        c2.intoArray(c, cOff + 2 * cRow);
        c3.intoArray(c, cOff + 3 * cRow);
        c4.intoArray(c, cOff + 4 * cRow);
        c5.intoArray(c, cOff + 5 * cRow);
        c6.intoArray(c, cOff + 6 * cRow);
        c7.intoArray(c, cOff + 7 * cRow);
        c8.intoArray(c, cOff + 8 * cRow);
        c9.intoArray(c, cOff + 9 * cRow);
        c10.intoArray(c, cOff + 10 * cRow);
        c11.intoArray(c, cOff + 11 * cRow);
    }

    /** {@link #gatheredRows} for 6 rows × 4 vectors (64 output channels and more). */
    static void gatheredRows6Vectors4(int len, float[] x, int[] rows, int rowsAt, int[] loop, float[] b, int bOff, int ldb,
                                      float[] c, int cOff, int cRow) {
        int r0 = rows[rowsAt];
        int r1 = rows[rowsAt + 1];
        int r2 = rows[rowsAt + 2];
        int r3 = rows[rowsAt + 3];
        int r4 = rows[rowsAt + 4];
        int r5 = rows[rowsAt + 5];
        FloatVector c00 = FloatVector.fromArray(S, c, cOff);
        FloatVector c01 = FloatVector.fromArray(S, c, cOff + 1 * L);
        FloatVector c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
        FloatVector c03 = FloatVector.fromArray(S, c, cOff + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, cOff + 1 * cRow);
        FloatVector c11 = FloatVector.fromArray(S, c, cOff + 1 * cRow + 1 * L);
        FloatVector c12 = FloatVector.fromArray(S, c, cOff + 1 * cRow + 2 * L);
        FloatVector c13 = FloatVector.fromArray(S, c, cOff + 1 * cRow + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, cOff + 2 * cRow);
        FloatVector c21 = FloatVector.fromArray(S, c, cOff + 2 * cRow + 1 * L);
        FloatVector c22 = FloatVector.fromArray(S, c, cOff + 2 * cRow + 2 * L);
        FloatVector c23 = FloatVector.fromArray(S, c, cOff + 2 * cRow + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, cOff + 3 * cRow);
        FloatVector c31 = FloatVector.fromArray(S, c, cOff + 3 * cRow + 1 * L);
        FloatVector c32 = FloatVector.fromArray(S, c, cOff + 3 * cRow + 2 * L);
        FloatVector c33 = FloatVector.fromArray(S, c, cOff + 3 * cRow + 3 * L);
        FloatVector c40 = FloatVector.fromArray(S, c, cOff + 4 * cRow);
        FloatVector c41 = FloatVector.fromArray(S, c, cOff + 4 * cRow + 1 * L);
        FloatVector c42 = FloatVector.fromArray(S, c, cOff + 4 * cRow + 2 * L);
        FloatVector c43 = FloatVector.fromArray(S, c, cOff + 4 * cRow + 3 * L);
        FloatVector c50 = FloatVector.fromArray(S, c, cOff + 5 * cRow);
        FloatVector c51 = FloatVector.fromArray(S, c, cOff + 5 * cRow + 1 * L);
        FloatVector c52 = FloatVector.fromArray(S, c, cOff + 5 * cRow + 2 * L);
        FloatVector c53 = FloatVector.fromArray(S, c, cOff + 5 * cRow + 3 * L);
        for (int l = 0; l < len; l++) {
            int o = loop[l];
            int at = bOff + l * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, at);
            FloatVector b1 = FloatVector.fromArray(S, b, at + L);
            FloatVector b2 = FloatVector.fromArray(S, b, at + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, at + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, x[o + r0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, x[o + r1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, x[o + r2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, x[o + r3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, x[o + r4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, x[o + r5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + 1 * L);
        c02.intoArray(c, cOff + 2 * L);
        c03.intoArray(c, cOff + 3 * L);
        c10.intoArray(c, cOff + 1 * cRow);
        c11.intoArray(c, cOff + 1 * cRow + 1 * L);
        c12.intoArray(c, cOff + 1 * cRow + 2 * L);
        c13.intoArray(c, cOff + 1 * cRow + 3 * L);
        c20.intoArray(c, cOff + 2 * cRow);
        c21.intoArray(c, cOff + 2 * cRow + 1 * L);
        c22.intoArray(c, cOff + 2 * cRow + 2 * L);
        c23.intoArray(c, cOff + 2 * cRow + 3 * L);
        c30.intoArray(c, cOff + 3 * cRow);
        c31.intoArray(c, cOff + 3 * cRow + 1 * L);
        c32.intoArray(c, cOff + 3 * cRow + 2 * L);
        c33.intoArray(c, cOff + 3 * cRow + 3 * L);
        c40.intoArray(c, cOff + 4 * cRow);
        c41.intoArray(c, cOff + 4 * cRow + 1 * L);
        c42.intoArray(c, cOff + 4 * cRow + 2 * L);
        c43.intoArray(c, cOff + 4 * cRow + 3 * L);
        c50.intoArray(c, cOff + 5 * cRow);
        c51.intoArray(c, cOff + 5 * cRow + 1 * L);
        c52.intoArray(c, cOff + 5 * cRow + 2 * L);
        c53.intoArray(c, cOff + 5 * cRow + 3 * L);
    }

    /**
     * Dot products with pixels in the lanes, for the weight gradient: for i < 6 and j < 3, lane by lane,
     * {@code c[cOff + (3·i + j)·L ..+L) += sum over u < units of g[gOff + i·gRow + u·L ..+L) · x[base[u] + off[offAt + j] ..+L)},
     * where g holds 6 channels' output gradient and x's lanes outside {@code lanes[u]} read as zero
     * (so an infinite input beyond a row's end never meets the zeros there).
     */
    static void packedRowsDotGatheredVectors(int units, float[] g, int gOff, int gRow, float[] x, int[] base, long[] lanes,
                                             int[] off, int offAt, float[] c, int cOff) {
        int o0 = off[offAt];
        int o1 = off[offAt + 1];
        int o2 = off[offAt + 2];
        FloatVector c00 = FloatVector.fromArray(S, c, cOff);
        FloatVector c01 = FloatVector.fromArray(S, c, cOff + 1 * L);
        FloatVector c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, cOff + 3 * L);
        FloatVector c11 = FloatVector.fromArray(S, c, cOff + 4 * L);
        FloatVector c12 = FloatVector.fromArray(S, c, cOff + 5 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, cOff + 6 * L);
        FloatVector c21 = FloatVector.fromArray(S, c, cOff + 7 * L);
        FloatVector c22 = FloatVector.fromArray(S, c, cOff + 8 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, cOff + 9 * L);
        FloatVector c31 = FloatVector.fromArray(S, c, cOff + 10 * L);
        FloatVector c32 = FloatVector.fromArray(S, c, cOff + 11 * L);
        FloatVector c40 = FloatVector.fromArray(S, c, cOff + 12 * L);
        FloatVector c41 = FloatVector.fromArray(S, c, cOff + 13 * L);
        FloatVector c42 = FloatVector.fromArray(S, c, cOff + 14 * L);
        FloatVector c50 = FloatVector.fromArray(S, c, cOff + 15 * L);
        FloatVector c51 = FloatVector.fromArray(S, c, cOff + 16 * L);
        FloatVector c52 = FloatVector.fromArray(S, c, cOff + 17 * L);
        for (int u = 0; u < units; u++) {
            VectorMask<Float> m = VectorMask.fromLong(S, lanes[u]);
            int b = base[u];
            FloatVector x0 = FloatVector.fromArray(S, x, b + o0, m);
            FloatVector x1 = FloatVector.fromArray(S, x, b + o1, m);
            FloatVector x2 = FloatVector.fromArray(S, x, b + o2, m);
            int at = gOff + u * L;
            FloatVector g0 = FloatVector.fromArray(S, g, at);
            c00 = g0.fma(x0, c00);
            c01 = g0.fma(x1, c01);
            c02 = g0.fma(x2, c02);
            FloatVector g1 = FloatVector.fromArray(S, g, at + 1 * gRow);
            c10 = g1.fma(x0, c10);
            c11 = g1.fma(x1, c11);
            c12 = g1.fma(x2, c12);
            FloatVector g2 = FloatVector.fromArray(S, g, at + 2 * gRow);
            c20 = g2.fma(x0, c20);
            c21 = g2.fma(x1, c21);
            c22 = g2.fma(x2, c22);
            FloatVector g3 = FloatVector.fromArray(S, g, at + 3 * gRow);
            c30 = g3.fma(x0, c30);
            c31 = g3.fma(x1, c31);
            c32 = g3.fma(x2, c32);
            FloatVector g4 = FloatVector.fromArray(S, g, at + 4 * gRow);
            c40 = g4.fma(x0, c40);
            c41 = g4.fma(x1, c41);
            c42 = g4.fma(x2, c42);
            FloatVector g5 = FloatVector.fromArray(S, g, at + 5 * gRow);
            c50 = g5.fma(x0, c50);
            c51 = g5.fma(x1, c51);
            c52 = g5.fma(x2, c52);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + 1 * L);
        c02.intoArray(c, cOff + 2 * L);
        c10.intoArray(c, cOff + 3 * L);
        c11.intoArray(c, cOff + 4 * L);
        c12.intoArray(c, cOff + 5 * L);
        c20.intoArray(c, cOff + 6 * L);
        c21.intoArray(c, cOff + 7 * L);
        c22.intoArray(c, cOff + 8 * L);
        c30.intoArray(c, cOff + 9 * L);
        c31.intoArray(c, cOff + 10 * L);
        c32.intoArray(c, cOff + 11 * L);
        c40.intoArray(c, cOff + 12 * L);
        c41.intoArray(c, cOff + 13 * L);
        c42.intoArray(c, cOff + 14 * L);
        c50.intoArray(c, cOff + 15 * L);
        c51.intoArray(c, cOff + 16 * L);
        c52.intoArray(c, cOff + 17 * L);
    }
}
