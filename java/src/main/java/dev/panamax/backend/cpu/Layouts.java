package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import java.util.Arrays;

/** Layout arithmetic shared by the CPU kernels. */
final class Layouts {
    private Layouts() {}

    /** Sizes and per-operand strides after dropping size-1 dims and merging dims that are dense for every operand. */
    record Collapsed(long[] shape, long[][] strides) {
        int rank() {
            return shape.length;
        }

        long inner() {
            return shape[shape.length - 1];
        }

        long innerStride(int operand) {
            return strides[operand][shape.length - 1];
        }

        /** Element offset of operand {@code k} at row {@code row} (index over all dims but the last) plus {@code base}. */
        long rowOffset(int k, long row, long base) {
            long off = base;
            for (int d = shape.length - 2; d >= 0 && row > 0; d--) {
                long i = row % shape[d];
                row /= shape[d];
                off += i * strides[k][d];
            }
            return off;
        }
    }

    /** Collapses the common shape of several operands. The result has rank at least 1. */
    static Collapsed collapse(long[] shape, long[]... strides) {
        int k = strides.length;
        long[] outShape = new long[shape.length];
        long[][] outStrides = new long[k][shape.length];
        int r = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (r > 0 && mergeable(shape, strides, d, outShape[r - 1], outStrides, r - 1)) {
                outShape[r - 1] *= shape[d];
                continue;
            }
            outShape[r] = shape[d];
            for (int o = 0; o < k; o++) {
                outStrides[o][r] = strides[o][d];
            }
            r++;
        }
        if (r == 0) {
            return new Collapsed(new long[] {1}, new long[k][1]);
        }
        long[] s = new long[r];
        long[][] st = new long[k][r];
        for (int i = 0; i < r; i++) {
            s[i] = outShape[r - 1 - i];
            for (int o = 0; o < k; o++) {
                st[o][i] = outStrides[o][r - 1 - i];
            }
        }
        return new Collapsed(s, st);
    }

    private static boolean mergeable(long[] shape, long[][] strides, int d, long innerSize, long[][] outStrides, int inner) {
        for (int o = 0; o < strides.length; o++) {
            if (strides[o][d] != outStrides[o][inner] * innerSize) {
                return false;
            }
        }
        return true;
    }

    /** Strides of an operand, one array per operand, in argument order. */
    static long[][] stridesOf(Operand... ops) {
        return Arrays.stream(ops).map(Operand::strides).toArray(long[][]::new);
    }
}
