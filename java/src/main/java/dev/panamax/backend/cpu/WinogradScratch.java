package dev.panamax.backend.cpu;

/** Per-thread heap buffers of {@link WinogradConv} for the block a thread works on, grown on demand and reused across calls. */
final class WinogradScratch {
    private static final ThreadLocal<WinogradScratch> LOCAL = ThreadLocal.withInitial(WinogradScratch::new);

    private float[] input = new float[0];
    private float[] line = new float[0];
    private float[] transformed = new float[0];
    private float[] products = new float[0];
    private float[] rows = new float[0];
    /** A vector of tiles' points half transformed. */
    final float[] tile = new float[WinogradConv.POINTS * ConvMicroKernels.L];

    private WinogradScratch() {}

    static WinogradScratch get() {
        return LOCAL.get();
    }

    /** The block's input, as {@link WinogradInput} lays it out. */
    float[] input(int length) {
        if (input.length < length) {
            input = new float[length];
        }
        return input;
    }

    /** One input row being split by column parity. */
    float[] line(int length) {
        if (line.length < length) {
            line = new float[length];
        }
        return line;
    }

    /** The block's transformed input tiles, [point][input channel][slot]. */
    float[] transformed(int length) {
        if (transformed.length < length) {
            transformed = new float[length];
        }
        return transformed;
    }

    /** The block's products in the transformed domain, [point][output channel of a block][slot]. */
    float[] products(int length) {
        if (products.length < length) {
            products = new float[length];
        }
        return products;
    }

    /** One output channel's rows of the block's tiles, [row in tile][slot][column in tile]. */
    float[] rows(int length) {
        if (rows.length < length) {
            rows = new float[length];
        }
        return rows;
    }
}
