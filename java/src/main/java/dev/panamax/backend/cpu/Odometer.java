package dev.panamax.backend.cpu;

/**
 * Walks every index of a shape in row-major order, keeping the element offset of several
 * operands in step. Used by the general (scalar) kernels.
 */
final class Odometer {
    private final long[] shape;
    private final long[][] strides;
    private final long[] index;
    private final long[] offsets;

    /** Starts at index {@code start} (row-major linear) with base offsets {@code bases}. */
    Odometer(long[] shape, long[][] strides, long[] bases, long start) {
        this.shape = shape;
        this.strides = strides;
        this.index = new long[shape.length];
        this.offsets = bases.clone();
        long rest = start;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = rest % shape[d];
            rest /= shape[d];
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] += index[d] * strides[k][d];
            }
        }
    }

    long offset(int operand) {
        return offsets[operand];
    }

    long index(int dim) {
        return index[dim];
    }

    /** Moves to the next index (wrapping to all zeros after the last). */
    void next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d]++;
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] += strides[k][d];
            }
            if (index[d] < shape[d]) {
                return;
            }
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] -= shape[d] * strides[k][d];
            }
            index[d] = 0;
        }
    }
}
