package dev.panamax.backend.cpu;

import java.util.Arrays;

/**
 * The deterministic sum behind both weight-gradient kernels: the (image, band) items are cut into
 * chunks by their count alone (never by the thread count), each chunk adds its items in order into
 * its own partial sums, and the chunks are added in order.
 */
final class WeightGradientChunks {
    /** At most this many partial sums per call. */
    private static final int CHUNKS = 16;
    /** Partial sums read per task of the final reduction, at least. */
    private static final long REDUCE_GRAIN = 1 << 16;

    /** Adds the contribution of band b of image img, group g, into partial[off ..). */
    @FunctionalInterface
    interface Item {
        void add(int g, int img, int b, ConvScratch scratch, float[] partial, int off);
    }

    /** The sum for output channel k and tap t held in one chunk's partial sums at off. */
    @FunctionalInterface
    interface Reader {
        float get(float[] partial, int off, int k, int t);
    }

    private WeightGradientChunks() {}

    /** gw [groups·out][taps] (unflipped weight order) from partial sums of partialSize floats per chunk. */
    static void run(ConvProblem pr, InputBand band, int partialSize, Item item, Reader reader, float[] gw) {
        int items = pr.n() * band.bands;
        int chunks = Math.min(items, CHUNKS);
        float[] partials = ConvScratch.get().partials(chunks * partialSize);
        for (int g = 0; g < pr.groups(); g++) {
            int group = g;
            Parallel.forChunks(chunks, c -> {
                ConvScratch scratch = ConvScratch.get();
                Arrays.fill(partials, c * partialSize, (c + 1) * partialSize, 0f);
                for (long i = Parallel.chunkStart(items, chunks, c); i < Parallel.chunkStart(items, chunks, c + 1); i++) {
                    item.add(group, (int) (i / band.bands), (int) (i % band.bands), scratch, partials, c * partialSize);
                }
            });
            // each output channel's sums over the chunks, in chunk order, on whichever thread
            Parallel.forRange(pr.out(), Math.max(1, REDUCE_GRAIN / ((long) pr.taps() * chunks)), (from, to) -> {
                for (int k = (int) from; k < to; k++) {
                    for (int t = 0; t < pr.taps(); t++) {
                        float sum = 0f;
                        for (int c = 0; c < chunks; c++) {
                            sum += reader.get(partials, c * partialSize, k, t);
                        }
                        gw[pr.weightIndex(group, k, t)] = sum;
                    }
                }
            });
        }
    }
}
