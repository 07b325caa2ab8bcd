package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import java.util.stream.IntStream;

/** Host-side index plumbing the detection parts share: chosen rows, indices where a condition holds. */
final class Tensors {
    private Tensors() {}

    /** The rows of x at the given indices, in that order (differentiable with respect to x). */
    static Tensor rows(Tensor x, int[] index) {
        try (Tensor idx = Tensor.of(IntStream.of(index).asLongStream().toArray(), index.length)) {
            return x.indexSelect(0, idx);
        }
    }

    /** The first n indices (or all when there are fewer) of an int64 tensor, as ints. */
    static int[] firstIndices(Tensor index, int n) {
        long[] all = index.toLongArray();
        return IntStream.range(0, Math.min(n, all.length)).map(i -> (int) all[i]).toArray();
    }
}
