package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Runs an elementwise function over operands of one shape, in any layouts and dtypes.
 *
 * <p>Dims that are dense for every operand are merged first, so contiguous tensors become one
 * long row. Rows are cut into tiles of {@link Scratch#TILE} elements and spread over
 * {@link Parallel}. Within a tile an operand is used in place when it is dense and already of
 * the compute type; otherwise (strided, broadcast, another dtype) it is gathered into a scratch
 * tile. The tile function therefore sees only dense runs of the compute type (float32, float64,
 * or int64 for exact integer arithmetic), and each element is computed the same way whatever the
 * split, so results do not depend on the thread count.
 */
final class Elementwise {
    private static final long GRAIN = 32_768;

    private Elementwise() {}

    /** The work on one tile: dense runs of {@code n} elements; index k &lt; inputs are inputs, the last is the output. */
    @FunctionalInterface
    interface TileFn {
        void apply(MemorySegment[] segs, long[] byteOffsets, int n);
    }

    /**
     * Runs {@code fn} with {@code computeType} tiles: inputs {@code ins}, output {@code out}
     * (written after conversion to its dtype).
     */
    static void run(DType computeType, Operand out, Operand[] ins, TileFn fn) {
        int k = ins.length;
        Operand[] all = new Operand[k + 1];
        System.arraycopy(ins, 0, all, 0, k);
        all[k] = out;
        Layouts.Collapsed c = Layouts.collapse(out.shape(), Layouts.stridesOf(all));
        long inner = c.inner();
        long tilesPerRow = (inner + Scratch.TILE - 1) / Scratch.TILE;
        long rows = out.numel() / Math.max(inner, 1);
        if (out.numel() == 0) {
            return;
        }
        long tiles = rows * tilesPerRow;
        long grain = Math.max(1, GRAIN / Math.min(inner, Scratch.TILE));
        int elemBytes = computeType.byteSize();
        Parallel.forRange(tiles, grain, (from, to) -> {
            Scratch scratch = Scratch.get();
            MemorySegment[] segs = new MemorySegment[k + 1];
            long[] offs = new long[k + 1];
            for (long t = from; t < to; t++) {
                long row = t / tilesPerRow;
                long col = (t % tilesPerRow) * Scratch.TILE;
                int n = (int) Math.min(Scratch.TILE, inner - col);
                boolean outDirect = false;
                long outIndex = 0;
                for (int o = 0; o <= k; o++) {
                    Operand op = all[o];
                    long stride = c.innerStride(o);
                    long index = c.rowOffset(o, row, op.offset()) + col * stride;
                    MemorySegment seg = CpuBackend.segment(op);
                    boolean direct = op.dtype() == computeType && (stride == 1 || n == 1);
                    if (direct) {
                        segs[o] = seg;
                        offs[o] = index * elemBytes;
                    } else {
                        segs[o] = scratch.tile(o);
                        offs[o] = 0;
                        if (o < k) {
                            Elements.gather(seg, op.dtype(), index, stride, n, segs[o], computeType);
                        }
                    }
                    if (o == k) {
                        outDirect = direct;
                        outIndex = index;
                    }
                }
                fn.apply(segs, offs, n);
                if (!outDirect) {
                    Elements.scatter(segs[k], computeType, n, CpuBackend.segment(out), out.dtype(), outIndex, c.innerStride(k));
                }
            }
        });
    }
}
