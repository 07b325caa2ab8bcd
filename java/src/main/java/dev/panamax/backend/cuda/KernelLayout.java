package dev.panamax.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One shape seen by up to four operands with their own strides: the {@code Layout} struct of
 * native/src/common.cuh ({@code int rank; int unused; long long shape[8]; long long strides[4][8];}).
 */
final class KernelLayout {
    static final int MAX_DIMS = 8;
    static final int MAX_OPERANDS = 4;
    static final long BYTES = 8 + 8L * MAX_DIMS + 8L * MAX_OPERANDS * MAX_DIMS;

    private final long[] shape;
    private final long[][] strides;

    private KernelLayout(long[] shape, long[][] strides) {
        if (shape.length > MAX_DIMS) {
            throw new IllegalArgumentException("the CUDA kernels take at most " + MAX_DIMS + " dims (after merging dense ones),"
                    + " got shape " + Arrays.toString(shape) + " with strides " + Arrays.deepToString(strides));
        }
        if (strides.length > MAX_OPERANDS) {
            throw new IllegalArgumentException("at most " + MAX_OPERANDS + " operands per layout, got " + strides.length);
        }
        this.shape = shape;
        this.strides = strides;
    }

    /** The dims as given (kernels that index one dim by position need them unmerged). */
    static KernelLayout of(long[] shape, long[]... strides) {
        return new KernelLayout(shape.clone(), Arrays.stream(strides).map(long[]::clone).toArray(long[][]::new));
    }

    /**
     * The same elements in as few dims as possible: size-1 dims dropped, and a dim merged into the
     * next one where every operand steps over it densely, so contiguous operands become one run.
     */
    static KernelLayout merged(long[] shape, long[]... strides) {
        int n = strides.length;
        long[] s = new long[shape.length];
        long[][] st = new long[n][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = rank > 0;
            for (int k = 0; k < n && merge; k++) {
                merge = st[k][rank - 1] == strides[k][d] * shape[d];
            }
            if (merge) {
                s[rank - 1] *= shape[d];
                for (int k = 0; k < n; k++) {
                    st[k][rank - 1] = strides[k][d];
                }
            } else {
                s[rank] = shape[d];
                for (int k = 0; k < n; k++) {
                    st[k][rank] = strides[k][d];
                }
                rank++;
            }
        }
        long[][] out = new long[n][];
        for (int k = 0; k < n; k++) {
            out[k] = Arrays.copyOf(st[k], rank);
        }
        return new KernelLayout(Arrays.copyOf(s, rank), out);
    }

    int rank() {
        return shape.length;
    }

    long[] shape() {
        return shape.clone();
    }

    long[] strides(int operand) {
        return strides[operand].clone();
    }

    /** Writes the struct at byte {@code at} of {@code s}. */
    void writeTo(MemorySegment s, long at) {
        s.asSlice(at, BYTES).fill((byte) 0);
        s.set(ValueLayout.JAVA_INT, at, shape.length);
        for (int d = 0; d < shape.length; d++) {
            s.set(ValueLayout.JAVA_LONG, at + 8 + 8L * d, shape[d]);
            for (int k = 0; k < strides.length; k++) {
                s.set(ValueLayout.JAVA_LONG, at + 8 + 8L * MAX_DIMS + 8L * (k * MAX_DIMS + d), strides[k][d]);
            }
        }
    }
}
