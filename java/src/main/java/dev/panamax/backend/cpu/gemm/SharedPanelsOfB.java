package dev.panamax.backend.cpu.gemm;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One KC x NC block of B in packed panels, shared by every thread of a product. Panels are packed in units
 * of a few adjacent panels (1 KiB of each row of B, which the prefetcher streams well, unless B is too narrow
 * to give each thread two units), by whichever thread needs a unit first: no barrier before the
 * multiplications start, and no unit is packed twice. A thread that finds a unit being packed by another
 * multiplies other units and comes back to it.
 */
final class SharedPanelsOfB {
    private static final int FREE = 0;
    private static final int PACKING = 1;
    private static final int READY = 2;
    private static final int FAILED = 3;
    /** A unit covers at least this many columns. */
    private static final int MIN_UNIT_COLUMNS = 256;
    /** Units are tracked in a long bit mask by the threads that multiply them. */
    static final int MAX_UNITS = Long.SIZE;

    private final FloatMatrix b;
    private final int p0;
    private final int kc;
    private final int j0;
    private final int nc;
    private final int nr;
    private final int panelsPerUnit;
    private final float[] packed;
    private final AtomicIntegerArray state;

    /**
     * Block {@code B[p0 : p0 + kc, j0 : j0 + nc]}, packed into {@code packed} (at least kc * nc rounded up to
     * nr), for {@code threads} threads.
     */
    SharedPanelsOfB(FloatMatrix b, int p0, int kc, int j0, int nc, int nr, float[] packed, int threads) {
        this.b = b;
        this.p0 = p0;
        this.kc = kc;
        this.j0 = j0;
        this.nc = nc;
        this.nr = nr;
        this.packed = packed;
        int panels = BlockedGemm.ceilDiv(nc, nr);
        int streamsWell = BlockedGemm.ceilDiv(MIN_UNIT_COLUMNS, nr);
        int twoPerThread = Math.max(1, panels / (2 * threads)); // a narrow B still gives every thread some packing
        this.panelsPerUnit = Math.max(BlockedGemm.ceilDiv(panels, MAX_UNITS), Math.min(streamsWell, twoPerThread));
        this.state = new AtomicIntegerArray(BlockedGemm.ceilDiv(panels, panelsPerUnit));
    }

    static int length(int kc, int nc, int nr) {
        return BlockedGemm.ceilDiv(nc, nr) * nr * kc;
    }

    int units() {
        return state.length();
    }

    float[] packed() {
        return packed;
    }

    int firstPanel(int unit) {
        return unit * panelsPerUnit;
    }

    int endPanel(int unit) {
        return Math.min(BlockedGemm.ceilDiv(nc, nr), (unit + 1) * panelsPerUnit);
    }

    /** Offset of panel q in {@link #packed()}. */
    int panelOffset(int q) {
        return q * kc * nr;
    }

    /** Columns of panel q that lie inside B (the rest is zero padding). */
    int panelColumns(int q) {
        return Math.min(nr, nc - q * nr);
    }

    /**
     * True when the unit is ready to read: already packed, or packed now by this thread. False when another
     * thread is packing it. A true return happens-after the packing (the state is read or written with
     * volatile semantics).
     */
    boolean tryAcquire(int unit, float[] staging) {
        int s = state.get(unit);
        if (s == READY) {
            return true;
        }
        if (s == FREE && state.compareAndSet(unit, FREE, PACKING)) {
            int first = firstPanel(unit);
            int columns = Math.min(nc, endPanel(unit) * nr) - first * nr;
            try {
                Packing.packB(b, p0, kc, j0 + (long) first * nr, columns, nr, packed, panelOffset(first), staging);
            } catch (RuntimeException | Error e) {
                state.set(unit, FAILED); // release the threads waiting for this unit
                throw e;
            }
            state.set(unit, READY);
            return true;
        }
        return false;
    }

    /** Waits for another thread to finish packing the unit (a short wait: packing takes microseconds). */
    void awaitReady(int unit) {
        int s;
        while ((s = state.get(unit)) != READY) {
            if (s == FAILED) {
                throw new IllegalStateException("another thread failed to pack B (its error is reported by that thread)");
            }
            Thread.onSpinWait();
        }
    }
}
