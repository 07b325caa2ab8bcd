package dev.panamax.backend;

import dev.panamax.tensor.DType;
import java.util.Arrays;

/**
 * What a kernel sees of a tensor: its storage, element type and strided layout. Offsets and
 * strides count elements, not bytes. Kernels never see autograd or tensors.
 *
 * @param storage the memory
 * @param dtype   element type
 * @param shape   sizes (not to be modified)
 * @param strides strides in elements, one per dim; 0 means broadcast along that dim
 * @param offset  index of element [0, 0, ...] in the storage
 */
public record Operand(Storage storage, DType dtype, long[] shape, long[] strides, long offset) {
    public int rank() {
        return shape.length;
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** True when the elements are dense in row-major order starting at {@code offset}. */
    public boolean isContiguous() {
        if (numel() == 0) {
            return true; // no element to be out of place (PyTorch agrees)
        }
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** The same elements seen with another shape and strides (a view; nothing is copied). */
    public Operand withLayout(long[] newShape, long[] newStrides, long newOffset) {
        return new Operand(storage, dtype, newShape, newStrides, newOffset);
    }

    /** A matrix [R, C] as the batch of one [1, R, C], for the batched {@link Backend#matmul}. */
    public Operand asBatchOfOne() {
        return withLayout(new long[] {1, shape[0], shape[1]}, new long[] {0, strides[0], strides[1]}, offset);
    }

    @Override
    public String toString() {
        return dtype.pyName() + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
    }
}
