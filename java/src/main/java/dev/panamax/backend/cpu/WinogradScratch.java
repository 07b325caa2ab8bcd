package dev.panamax.backend.cpu;

/** Per-thread heap buffers of {@link WinogradConv} for the block a thread works on, grown on demand and reused across calls. */
final class WinogradScratch {
    private static final ThreadLocal<WinogradScratch> LOCAL = ThreadLocal.withInitial(WinogradScratch::new);

    private float[] input = new float[0];
    private float[] line = new float[0];
    private float[] transformed = new float[0];
    private float[] products = new float[0];
    private float[] rows = new float[0];
    /** The runs of the block being stored. */
    final Runs runs = new Runs();
    /** A vector of tiles' points half transformed. */
    final float[] tile = new float[WinogradConv.POINTS * ConvMicroKernels.L];

    private WinogradScratch() {}

    static WinogradScratch get() {
        return LOCAL.get();
    }

    /** The block's input, as {@link WinogradInput} lays it out. */
    float[] input(int length) {
        input = Scratch.atLeast(input, length);
        return input;
    }

    /** One input row being split by column parity. */
    float[] line(int length) {
        line = Scratch.atLeast(line, length);
        return line;
    }

    /** The block's transformed input tiles, [point][input channel][slot]. */
    float[] transformed(int length) {
        transformed = Scratch.atLeast(transformed, length);
        return transformed;
    }

    /** The block's products in the transformed domain, [point][output channel of a block][slot]. */
    float[] products(int length) {
        products = Scratch.atLeast(products, length);
        return products;
    }

    /** One output channel's rows of the block's tiles, [row in tile][slot][column in tile]. */
    float[] rows(int length) {
        rows = Scratch.atLeast(rows, length);
        return rows;
    }

    /**
     * A block's runs of consecutive tiles in one tile row, found once per block rather than per
     * output channel: the first slot (block-relative), where its output rows start (element index
     * of output channel 0), their width and how many of the tile's two rows lie in the output.
     */
    static final class Runs {
        int count;
        int[] slot = new int[0];
        int[] width = new int[0];
        int[] rows = new int[0];
        long[] start = new long[0];

        /** The runs of the {@code count} slots from {@code first}, for an output from element yOff. */
        void find(WinogradInput input, int first, int count, long yOff) {
            slot = Scratch.atLeast(slot, count);
            width = Scratch.atLeast(width, count);
            rows = Scratch.atLeast(rows, count);
            start = Scratch.atLeast(start, count);
            ConvProblem pr = input.pr;
            int perImage = input.slotsPerImage();
            this.count = 0;
            for (int l = 0; l < count; ) {
                int t = first + l;
                int row = t % perImage / input.slotColumns;
                int column = t % perImage % input.slotColumns;
                if (row == input.tileRows || column == input.tileColumns) {
                    l++;
                    continue;
                }
                int run = Math.min(count - l, input.tileColumns - column);
                slot[this.count] = l;
                width[this.count] = Math.min(2 * run, pr.q() - 2 * column);
                rows[this.count] = Math.min(2, pr.p() - 2 * row);
                start[this.count] = yOff + t / perImage * pr.outputImage() + 2L * row * pr.q() + 2L * column;
                this.count++;
                l += run;
            }
        }
    }
}
