package dev.panamax.data.transforms;

/** How {@link RandomCrop} fills the padding, as torchvision's {@code padding_mode}. */
public enum PaddingMode {
    /** The fill value. */
    CONSTANT,
    /** The nearest edge pixel. */
    EDGE,
    /** Mirrored without repeating the edge: 2 1 | 0 1 2 3 | 2 1. */
    REFLECT,
    /** Mirrored repeating the edge: 1 0 | 0 1 2 3 | 3 2. */
    SYMMETRIC;

    /**
     * The index in [0, size) that padded position {@code i} (relative to the unpadded start)
     * shows, or -1 for the fill value. Pads wider than the image keep mirroring.
     */
    int source(int i, int size) {
        if (i >= 0 && i < size) {
            return i;
        }
        return switch (this) {
            case CONSTANT -> -1;
            case EDGE -> i < 0 ? 0 : size - 1;
            case REFLECT -> {
                if (size == 1) {
                    yield 0;
                }
                int k = Math.floorMod(i, 2 * (size - 1));
                yield k < size ? k : 2 * (size - 1) - k;
            }
            case SYMMETRIC -> {
                int k = Math.floorMod(i, 2 * size);
                yield k < size ? k : 2 * size - 1 - k;
            }
        };
    }
}
