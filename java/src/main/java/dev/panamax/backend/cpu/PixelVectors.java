package dev.panamax.backend.cpu;

/**
 * The vectors of output pixels that the row-vector kernels compute, for a run of {@code rows}
 * output rows: their rows laid {@code pitch} columns apart ({@link RowVectorConv#pitch}), cut into
 * {@code units} vectors of consecutive pixels. {@code base[u]} is where vector u's first pixel sits
 * in an {@link InputBand} whose first row is the run's, and bit l of {@code lanes[u]} says whether
 * lane l is an output pixel (not past a row's q columns or past the last row). The arrays run on
 * to whole kernel calls, repeating vector 0 with no lanes. The same for every image, so it is
 * built once per call and shared by the threads.
 */
record PixelVectors(int pitch, int units, int[] base, long[] lanes) {
    private static final int L = ConvMicroKernels.L;

    static PixelVectors of(ConvProblem pr, InputBand band, int rows, int vectorsPerCall) {
        return of(pr, band, rows, 1, vectorsPerCall);
    }

    /**
     * The vectors of {@code images} images side by side, each image's band {@link InputBand#floats()}
     * after the previous one's; {@code units} counts one image's vectors.
     */
    static PixelVectors of(ConvProblem pr, InputBand band, int rows, int images, int vectorsPerCall) {
        int pitch = RowVectorConv.pitch(pr, band);
        int units = RowVectorConv.ceilDiv(rows * pitch, L);
        int padded = RowVectorConv.roundUp(images * units, vectorsPerCall);
        int[] base = new int[padded];
        long[] lanes = new long[padded];
        for (int u = 0; u < units; u++) {
            int f = u * L;
            for (int l = 0; l < L; l++) {
                if (f + l < rows * pitch && (f + l) % pitch < pr.q()) {
                    lanes[u] |= 1L << l;
                }
            }
            for (int j = 0; j < images; j++) {
                base[j * units + u] = (int) (j * band.floats()) + band.pixel(f / pitch, f % pitch);
                lanes[j * units + u] = lanes[u];
            }
        }
        for (int u = images * units; u < padded; u++) {
            base[u] = base[0];
        }
        return new PixelVectors(pitch, units, base, lanes);
    }

    /** Floats per channel of an output run in this layout: whole kernel calls of vectors. */
    int stride() {
        return base.length * L;
    }
}
