package dev.panamax.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input of one block of {@link WinogradConv}, laid out so that a vector of consecutive tiles
 * loads each of its 4×4 points with one contiguous load. Tiles sit in a grid of slots: per image,
 * {@code tileRows + 1} rows of {@code slotColumns = tileColumns + 1} slots, numbered image by image
 * across the batch; the extra column and row are computed and dropped. The slot grid doubles as
 * the grid of padded input row pairs: in a block's buffer, padded row 2·r + i (i = 0, 1) of slot
 * row r, column 2·x + j (j = 0, 1), input channel c, is at {@code ((c·2 + i)·2 + j)·plane + s}
 * for the local slot s of (r, x), zero where the padding or the overhang of the last tiles lies.
 * So point (i, j) of the tile in slot s, padded row 2·r + i and column 2·x + j for i, j < 4, is at
 * {@code ((c·2 + i mod 2)·2 + j mod 2)·plane + s + (i / 2)·slotColumns + j / 2}, and each padded
 * row is split once per block.
 */
final class WinogradInput {
    private static final VectorSpecies<Float> S = ConvMicroKernels.S;
    private static final int L = ConvMicroKernels.L;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    final ConvProblem pr;
    final int tileRows;
    final int tileColumns;
    final int slotColumns;
    /** Floats between the planes of one (input channel, row parity, column parity) in a block's buffer. */
    final int plane;

    /** The slot grid of pr for blocks of {@code blockSlots} slots. */
    WinogradInput(ConvProblem pr, int blockSlots) {
        this.pr = pr;
        this.tileRows = RowVectorConv.ceilDiv(pr.p(), 2);
        this.tileColumns = RowVectorConv.ceilDiv(pr.q(), 2);
        this.slotColumns = tileColumns + 1;
        this.plane = blockSlots + slotColumns + 2 * L;
    }

    int slotsPerImage() {
        return (tileRows + 1) * slotColumns;
    }

    int slots() {
        return pr.n() * slotsPerImage();
    }

    /** Floats of a block's buffer. */
    int length() {
        return 4 * pr.in() * plane;
    }

    /** Floats of the scratch line that {@link #fill} splits rows in. */
    int lineLength() {
        return 2 * slotColumns + 4 * L;
    }

    /**
     * Fills buf with the block of slots from {@code first} (and the slots after it that its last
     * tiles read), from x (dense float32 NCHW from element xOff).
     */
    void fill(MemorySegment x, long xOff, int first, float[] buf, float[] line) {
        int perImage = slotsPerImage();
        int end = Math.min(first + plane - L, slots());
        for (int t = first; t < end; ) {
            int img = t / perImage;
            int slotRow = t % perImage / slotColumns;
            int column = t % perImage % slotColumns;
            int count = Math.min(end - t, slotColumns - column);
            for (int c = 0; c < pr.in(); c++) {
                for (int i = 0; i < 2; i++) {
                    int h = 2 * slotRow + i - pr.padTop();
                    int dst = (c * 2 + i) * 2 * plane + t - first;
                    if (h < 0 || h >= pr.h()) {
                        Arrays.fill(buf, dst, dst + count, 0f);
                        Arrays.fill(buf, dst + plane, dst + plane + count, 0f);
                    } else {
                        long row = xOff + img * pr.inputImage() + ((long) c * pr.h() + h) * pr.w();
                        split(x, row, 2 * column - pr.padLeft(), count, buf, dst, line);
                    }
                }
            }
            t += count;
        }
    }

    /**
     * Padded columns 2·slot + parity of one input row (tensor memory from element {@code row}) for
     * {@code count} slots whose first starts at input column {@code from}: even ones to buf[dst ..),
     * odd ones one plane on; a vector's worth past them may be overwritten.
     */
    private void split(MemorySegment x, long row, int from, int count, float[] buf, int dst, float[] line) {
        int lo = Math.clamp(-from, 0, 2 * count);
        int hi = Math.clamp(pr.w() - from, lo, 2 * count);
        int k = lo;
        for (; k + L <= hi; k += L) {
            FloatVector.fromMemorySegment(S, x, (row + from + k) * Float.BYTES, NATIVE).intoArray(line, k);
        }
        if (k < hi) { // the masked load zeroes the lanes past hi
            VectorMask<Float> m = S.indexInRange(k, hi);
            FloatVector.fromMemorySegment(S, x, (row + from + k) * Float.BYTES, NATIVE, m).intoArray(line, k);
            k += L;
        }
        // zeros for the padding and overhang; lanes past 2·count only reach slots that are overwritten or dropped
        Arrays.fill(line, 0, lo, 0f);
        Arrays.fill(line, Math.min(k, 2 * count), 2 * count, 0f);
        for (int r = 0; r < count; r += L) {
            FloatVector a = FloatVector.fromArray(S, line, 2 * r);
            FloatVector b = FloatVector.fromArray(S, line, 2 * r + L);
            Deinterleave.even(a, b).intoArray(buf, dst + r);
            Deinterleave.odd(a, b).intoArray(buf, dst + plane + r);
        }
    }

    /**
     * Bᵀ d B of F(2×2, 3×3) for the L tiles from local slot s, input channel c: point (r, t) goes to
     * {@code v[vAt + (r·4 + t)·vPoint ..+L)}; half is scratch of 16 vectors.
     */
    void transform(float[] buf, int s, int c, float[] half, float[] v, int vAt, int vPoint) {
        for (int i = 0; i < 4; i++) {
            int even = (c * 2 + i % 2) * 2 * plane + s + i / 2 * slotColumns;
            int odd = even + plane;
            FloatVector d0 = FloatVector.fromArray(S, buf, even);
            FloatVector d1 = FloatVector.fromArray(S, buf, odd);
            FloatVector d2 = FloatVector.fromArray(S, buf, even + 1);
            FloatVector d3 = FloatVector.fromArray(S, buf, odd + 1);
            d0.sub(d2).intoArray(half, (i * 4) * L);
            d1.add(d2).intoArray(half, (i * 4 + 1) * L);
            d2.sub(d1).intoArray(half, (i * 4 + 2) * L);
            d1.sub(d3).intoArray(half, (i * 4 + 3) * L);
        }
        for (int t = 0; t < 4; t++) {
            FloatVector e0 = FloatVector.fromArray(S, half, t * L);
            FloatVector e1 = FloatVector.fromArray(S, half, (4 + t) * L);
            FloatVector e2 = FloatVector.fromArray(S, half, (8 + t) * L);
            FloatVector e3 = FloatVector.fromArray(S, half, (12 + t) * L);
            e0.sub(e2).intoArray(v, vAt + t * vPoint);
            e1.add(e2).intoArray(v, vAt + (4 + t) * vPoint);
            e2.sub(e1).intoArray(v, vAt + (8 + t) * vPoint);
            e1.sub(e3).intoArray(v, vAt + (12 + t) * vPoint);
        }
    }
}
