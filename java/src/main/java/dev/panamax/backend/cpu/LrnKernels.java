package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Cross-channel local response normalisation over a dense x [N, C, S], as PyTorch defines it:
 * d[c] = k + alpha / size * (sum of x[c']^2 for c' in [c - size/2, c + (size-1)/2], channels
 * outside [0, C) counting as zero) and y = x * d^-beta. Work is split into images times fixed
 * tiles of spatial positions. Along a tile, float32 with beta = 0.75 (PyTorch's default and
 * AlexNet's) runs whole vectors, taking d^-0.75 as 1 / (sqrt(d) * sqrt(sqrt(d))); the rest takes
 * the scalar double path with Math.pow. (The Vector API's POW is not used: compiled it calls
 * SVML, interpreted Math.pow, so the bits would depend on the JIT tier.)
 */
final class LrnKernels {
    /** Spatial positions per task (a multiple of every vector length). */
    private static final int TILE = 512;
    /** Elements per parallel chunk, at least. */
    private static final long GRAIN = 32_768;
    private static final ThreadLocal<MemorySegment[]> BUFFER = ThreadLocal.withInitial(() -> new MemorySegment[] {MemorySegment.NULL});

    private LrnKernels() {}

    /**
     * One call: the constants, x's channel count c and spatial size s, and the operands. They are
     * all dense with x's shape, so an element of y, gy or gx sits at x's index plus its shift.
     */
    private record Call(int size, double alpha, double beta, double k, long c, long s, DType t,
                        MemorySegment x, MemorySegment y, long yShift, MemorySegment gy, long gyShift, MemorySegment gx, long gxShift) {
        static Call of(Operand x, Operand y, Operand gy, Operand gx, int size, double alpha, double beta, double k) {
            return new Call(size, alpha, beta, k, x.shape()[1], x.shape()[2], x.dtype(),
                    CpuBackend.segment(x), CpuBackend.segment(y), y.offset() - x.offset(),
                    gy == null ? null : CpuBackend.segment(gy), gy == null ? 0 : gy.offset() - x.offset(),
                    gx == null ? null : CpuBackend.segment(gx), gx == null ? 0 : gx.offset() - x.offset());
        }

        /** First channel of channel ch's window. */
        long first(long ch) {
            return Math.max(0, ch - size / 2);
        }

        /** Last channel of channel ch's window. */
        long last(long ch) {
            return Math.min(c - 1, ch + (size - 1) / 2);
        }

        /** d = k + alpha / size * sum of squares. */
        double denominator(double sumSquares) {
            return k + alpha / size * sumSquares;
        }

        /** d at position i of channel ch's run, for the tile starting at base (scalar). */
        double denominator(long base, long ch, int i) {
            double sq = 0;
            for (long cc = first(ch); cc <= last(ch); cc++) {
                double v = Elements.read(x, t, base + cc * s + i);
                sq += v * v;
            }
            return denominator(sq);
        }

        /** d at positions [i, i + L) of channel ch's run (float32 vectors). */
        FloatVector denominators(long base, long ch, int i) {
            FloatVector sq = FloatVector.zero(FloatKernels.S);
            for (long cc = first(ch); cc <= last(ch); cc++) {
                FloatVector v = FloatKernels.load(x, 4 * (base + cc * s + i));
                sq = v.fma(v, sq);
            }
            return sq.fma((float) (alpha / size), (float) k);
        }

        /** Where the vector path ends in a tile of len: after its whole vectors for float32 with beta 0.75, else at 0. */
        int vectorEnd(int len) {
            return t == DType.FLOAT32 && beta == 0.75 ? len - len % FloatKernels.L : 0;
        }
    }

    /** d^-0.75 from IEEE square roots (exact on every JIT tier). */
    private static FloatVector powMinusThreeQuarters(FloatVector d) {
        FloatVector root = d.lanewise(VectorOperators.SQRT);
        return FloatVector.broadcast(FloatKernels.S, 1f).div(root.mul(root.lanewise(VectorOperators.SQRT)));
    }

    @FunctionalInterface
    private interface TileBody {
        /** Channel c's run of the tile starts at element {@code base + c * S} of x; the tile is {@code len} long. */
        void run(long base, int len);
    }

    private static void forEachTile(Operand x, TileBody body) {
        long[] sh = x.shape();
        long tiles = (sh[2] + TILE - 1) / TILE;
        Parallel.forRange(sh[0] * tiles, Math.max(1, GRAIN / Math.max(1, sh[1] * TILE)), (from, to) -> {
            for (long task = from; task < to; task++) {
                long n = task / tiles;
                long s0 = task % tiles * TILE;
                body.run(x.offset() + n * sh[1] * sh[2] + s0, (int) Math.min(TILE, sh[2] - s0));
            }
        });
    }

    static void forward(Operand x, int size, double alpha, double beta, double k, Operand y) {
        Call o = Call.of(x, y, null, null, size, alpha, beta, k);
        forEachTile(x, (base, len) -> {
            int whole = o.vectorEnd(len);
            for (long ch = 0; ch < o.c; ch++) {
                long run = base + ch * o.s;
                for (int i = 0; i < whole; i += FloatKernels.L) {
                    FloatVector factor = powMinusThreeQuarters(o.denominators(base, ch, i));
                    FloatKernels.store(FloatKernels.load(o.x, 4 * (run + i)).mul(factor), o.y, 4 * (run + o.yShift + i));
                }
                for (int i = whole; i < len; i++) {
                    double v = Elements.read(o.x, o.t, run + i) * Math.pow(o.denominator(base, ch, i), -beta);
                    Elements.write(o.y, o.t, run + o.yShift + i, v);
                }
            }
        });
    }

    /**
     * gx[j] = gy[j] * d[j]^-beta - 2 * alpha * beta / size * x[j] * (sum over the channels i whose
     * window holds j, i in [j - (size-1)/2, j + size/2], of gy[i] * y[i] / d[i]). A first pass
     * stores d^-beta and gy * y / d of the tile's channels in a per-thread buffer; the second sums
     * the windows.
     */
    static void backward(Operand x, Operand y, Operand gy, int size, double alpha, double beta, double k, Operand gx) {
        Call o = Call.of(x, y, gy, gx, size, alpha, beta, k);
        double coef = 2 * alpha * beta / size;
        forEachTile(x, (base, len) -> {
            int whole = o.vectorEnd(len);
            // channel c's tile: d^-beta at element c * len of buf, gy * y / d at (C + c) * len
            MemorySegment buf = buffer(2 * o.c * len * o.t.byteSize());
            long weighted = o.c * len;
            for (long ch = 0; ch < o.c; ch++) {
                long run = base + ch * o.s;
                long at = ch * len;
                for (int i = 0; i < whole; i += FloatKernels.L) {
                    FloatVector d = o.denominators(base, ch, i);
                    FloatKernels.store(powMinusThreeQuarters(d), buf, 4 * (at + i));
                    FloatVector g = FloatKernels.load(o.gy, 4 * (run + o.gyShift + i));
                    FloatKernels.store(g.mul(FloatKernels.load(o.y, 4 * (run + o.yShift + i))).div(d), buf, 4 * (weighted + at + i));
                }
                for (int i = whole; i < len; i++) {
                    double d = o.denominator(base, ch, i);
                    Elements.write(buf, o.t, at + i, Math.pow(d, -beta));
                    double g = Elements.read(o.gy, o.t, run + o.gyShift + i);
                    Elements.write(buf, o.t, weighted + at + i, g * Elements.read(o.y, o.t, run + o.yShift + i) / d);
                }
            }
            float negCoef = (float) -coef;
            for (long ch = 0; ch < o.c; ch++) {
                long run = base + ch * o.s;
                long at = ch * len;
                long lo = Math.max(0, ch - (size - 1) / 2);
                long hi = Math.min(o.c - 1, ch + size / 2);
                for (int i = 0; i < whole; i += FloatKernels.L) {
                    FloatVector sum = FloatVector.zero(FloatKernels.S);
                    for (long cc = lo; cc <= hi; cc++) {
                        sum = sum.add(FloatKernels.load(buf, 4 * (weighted + cc * len + i)));
                    }
                    FloatVector g = FloatKernels.load(o.gy, 4 * (run + o.gyShift + i)).mul(FloatKernels.load(buf, 4 * (at + i)));
                    FloatVector xv = FloatKernels.load(o.x, 4 * (run + i));
                    FloatKernels.store(g.add(xv.mul(sum).mul(negCoef)), o.gx, 4 * (run + o.gxShift + i));
                }
                for (int i = whole; i < len; i++) {
                    double sum = 0;
                    for (long cc = lo; cc <= hi; cc++) {
                        sum += Elements.read(buf, o.t, weighted + cc * len + i);
                    }
                    double g = Elements.read(o.gy, o.t, run + o.gyShift + i) * Elements.read(buf, o.t, at + i);
                    Elements.write(o.gx, o.t, run + o.gxShift + i, g - coef * Elements.read(o.x, o.t, run + i) * sum);
                }
            }
        });
    }

    /** This thread's buffer of at least {@code bytes}, reused across calls. */
    private static MemorySegment buffer(long bytes) {
        MemorySegment[] held = BUFFER.get();
        if (held[0].byteSize() < bytes) {
            held[0] = Arena.ofAuto().allocate(bytes, 64);
        }
        return held[0];
    }
}
