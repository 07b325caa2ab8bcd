package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.backend.cpu.gemm.Sgemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Fused scaled dot-product attention on float32 queries [B, L, E], keys [B, S, E] and values
 * [B, S, Ev] (B = batch × heads), blocked so that memory stays linear in the sequence lengths.
 * The forward pass walks the keys in blocks with an online softmax (Dao et al., FlashAttention,
 * 2022): each query row keeps its running maximum and sum and rescales its accumulated output
 * when the maximum grows, and only the row's log-sum-exp is kept for backward. The backward
 * pass recomputes each block's probabilities from it (FlashAttention-2's order: key blocks
 * outside, query blocks inside). Block products go through {@link Sgemm}, each on one thread;
 * the forward splits the work over (B, query block), the backward over B, whose gradient rows
 * each task owns, so results never depend on the thread count.
 */
final class AttentionKernels {
    /** Query rows per block: with 128 keys and head size 64 a block product is 0.5 M multiply-adds, one thread's share. */
    static final int QUERY_BLOCK = 64;
    static final int KEY_BLOCK = 128;
    private static final long FLOAT = Float.BYTES;
    private static final ThreadLocal<Blocks> BLOCKS = ThreadLocal.withInitial(Blocks::new);

    private AttentionKernels() {}

    /** Shapes of one call, from the operands. */
    private record Dims(int batch, int queries, int keys, int headSize, int valueSize) {
        static Dims of(Operand q, Operand k, Operand v) {
            return new Dims((int) q.shape()[0], (int) q.shape()[1], (int) k.shape()[1], (int) q.shape()[2], (int) v.shape()[2]);
        }

        /** Keys the rows of [i0, i0 + rows) may see: under the causal mask key j serves rows i &ge; j. */
        int keyEnd(boolean causal, int i0, int rows) {
            return causal ? Math.min(keys, i0 + rows) : keys;
        }
    }

    static void forward(Operand q, Operand k, Operand v, double scale, boolean causal, Operand out, Operand logSumExp) {
        Dims d = Dims.of(q, k, v);
        int queryBlocks = ceilDiv(d.queries, QUERY_BLOCK);
        Parallel.forRange((long) d.batch * queryBlocks, 1, (from, to) -> {
            Blocks w = BLOCKS.get().reserve(d.valueSize);
            for (long task = from; task < to; task++) {
                int b = (int) (task / queryBlocks);
                int i0 = (int) (task % queryBlocks) * QUERY_BLOCK;
                forwardBlock(q, k, v, (float) scale, causal, out, logSumExp, d, b, i0, w);
            }
        });
    }

    private static void forwardBlock(Operand q, Operand k, Operand v, float scale, boolean causal, Operand out, Operand logSumExp,
                                     Dims d, int b, int i0, Blocks w) {
        int rows = Math.min(QUERY_BLOCK, d.queries - i0);
        MemorySegment acc = w.accumulator;
        acc.asSlice(0, rows * (long) d.valueSize * FLOAT).fill((byte) 0);
        float[] max = w.rowMax;
        float[] sum = w.rowSum;
        Arrays.fill(max, 0, rows, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, rows, 0f);
        int keyEnd = d.keyEnd(causal, i0, rows);
        for (int j0 = 0; j0 < keyEnd; j0 += KEY_BLOCK) {
            int cols = Math.min(KEY_BLOCK, keyEnd - j0);
            scores(q, k, scale, causal, d, b, i0, rows, j0, cols, w.scores);
            for (int r = 0; r < rows; r++) {
                long row = (long) r * KEY_BLOCK * FLOAT;
                float blockMax = rowMax(w.scores, row, cols);
                float newMax = Math.max(max[r], blockMax);
                if (newMax == Float.NEGATIVE_INFINITY) {
                    continue; // nothing seen yet: the block's probabilities are all 0
                }
                float blockSum = expShifted(w.scores, row, cols, newMax);
                float rescale = (float) Math.exp(max[r] - newMax);
                sum[r] = sum[r] * rescale + blockSum;
                max[r] = newMax;
                if (rescale != 1f) {
                    scaleRow(acc, (long) r * d.valueSize * FLOAT, d.valueSize, rescale);
                }
            }
            // acc += p · v[j0 : j0 + cols]
            Sgemm.sgemm(rows, d.valueSize, cols, 1f, w.scores, 0, KEY_BLOCK, 1,
                    CpuBackend.segment(v), v.offset() + ((long) b * d.keys + j0) * d.valueSize, d.valueSize, 1,
                    1f, acc, 0, d.valueSize, 1);
        }
        MemorySegment os = CpuBackend.segment(out);
        MemorySegment ls = CpuBackend.segment(logSumExp);
        for (int r = 0; r < rows; r++) {
            long outRow = (out.offset() + ((long) b * d.queries + i0 + r) * d.valueSize) * FLOAT;
            // a row that sees no key (S = 0) gives zeros, as the composed softmax · value does
            float inv = sum[r] == 0 ? 0f : 1f / sum[r];
            for (int e = 0; e < d.valueSize; e++) {
                os.set(ValueLayout.JAVA_FLOAT_UNALIGNED, outRow + e * FLOAT,
                        acc.getAtIndex(ValueLayout.JAVA_FLOAT, (long) r * d.valueSize + e) * inv);
            }
            float lse = sum[r] == 0 ? Float.NEGATIVE_INFINITY : max[r] + (float) Math.log(sum[r]);
            ls.set(ValueLayout.JAVA_FLOAT_UNALIGNED, (logSumExp.offset() + (long) b * d.queries + i0 + r) * FLOAT, lse);
        }
    }

    static void backward(Operand q, Operand k, Operand v, Operand out, Operand logSumExp, Operand gradOut, double scale, boolean causal,
                         Operand gradQ, Operand gradK, Operand gradV) {
        Dims d = Dims.of(q, k, v);
        Parallel.forRange(d.batch, 1, (from, to) -> {
            Blocks w = BLOCKS.get();
            for (long b = from; b < to; b++) {
                backwardBatch(q, k, v, out, logSumExp, gradOut, (float) scale, causal, gradQ, gradK, gradV, d, (int) b, w);
            }
        });
    }

    private static void backwardBatch(Operand q, Operand k, Operand v, Operand out, Operand logSumExp, Operand gradOut, float scale,
                                      boolean causal, Operand gradQ, Operand gradK, Operand gradV, Dims d, int b, Blocks w) {
        MemorySegment qs = CpuBackend.segment(q);
        MemorySegment ks = CpuBackend.segment(k);
        MemorySegment vs = CpuBackend.segment(v);
        MemorySegment gos = CpuBackend.segment(gradOut);
        long qBase = q.offset() + (long) b * d.queries * d.headSize;
        long kBase = k.offset() + (long) b * d.keys * d.headSize;
        long vBase = v.offset() + (long) b * d.keys * d.valueSize;
        long goBase = gradOut.offset() + (long) b * d.queries * d.valueSize;
        long gqBase = gradQ.offset() + (long) b * d.queries * d.headSize;
        long gkBase = gradK.offset() + (long) b * d.keys * d.headSize;
        long gvBase = gradV.offset() + (long) b * d.keys * d.valueSize;
        zero(gradQ, gqBase, (long) d.queries * d.headSize);
        zero(gradK, gkBase, (long) d.keys * d.headSize);
        zero(gradV, gvBase, (long) d.keys * d.valueSize);
        // delta_i = dO_i · O_i, the softmax backward's row term
        float[] delta = w.delta(d.queries);
        MemorySegment os = CpuBackend.segment(out);
        for (int i = 0; i < d.queries; i++) {
            delta[i] = dot(gos, goBase + (long) i * d.valueSize, os, out.offset() + ((long) b * d.queries + i) * d.valueSize, d.valueSize);
        }
        MemorySegment ls = CpuBackend.segment(logSumExp);
        for (int j0 = 0; j0 < d.keys; j0 += KEY_BLOCK) {
            int cols = Math.min(KEY_BLOCK, d.keys - j0);
            // under the causal mask rows above j0 see none of these keys
            int firstRow = causal ? j0 / QUERY_BLOCK * QUERY_BLOCK : 0;
            for (int i0 = firstRow; i0 < d.queries; i0 += QUERY_BLOCK) {
                int rows = Math.min(QUERY_BLOCK, d.queries - i0);
                scores(q, k, scale, causal, d, b, i0, rows, j0, cols, w.scores);
                for (int r = 0; r < rows; r++) {
                    float lse = ls.get(ValueLayout.JAVA_FLOAT_UNALIGNED, (logSumExp.offset() + (long) b * d.queries + i0 + r) * FLOAT);
                    long row = (long) r * KEY_BLOCK * FLOAT;
                    if (lse == Float.NEGATIVE_INFINITY) {
                        w.scores.asSlice(row, cols * FLOAT).fill((byte) 0);
                    } else {
                        expShifted(w.scores, row, cols, lse);
                    }
                }
                // dV[j0 : j0 + cols] += pᵀ · dO[i0 : i0 + rows]
                Sgemm.sgemm(cols, d.valueSize, rows, 1f, w.scores, 0, 1, KEY_BLOCK, gos, goBase + (long) i0 * d.valueSize, d.valueSize, 1,
                        1f, CpuBackend.segment(gradV), gvBase + (long) j0 * d.valueSize, d.valueSize, 1);
                // dP = dO[i0 : i0 + rows] · V[j0 : j0 + cols]ᵀ
                Sgemm.sgemm(rows, cols, d.valueSize, 1f, gos, goBase + (long) i0 * d.valueSize, d.valueSize, 1,
                        vs, vBase + (long) j0 * d.valueSize, 1, d.valueSize, 0f, w.gradScores, 0, KEY_BLOCK, 1);
                // dS = p ∘ (dP - delta), into gradScores; the score scale goes into the next two products
                for (int r = 0; r < rows; r++) {
                    softmaxGradRow(w.scores, w.gradScores, (long) r * KEY_BLOCK * FLOAT, cols, delta[i0 + r]);
                }
                // dQ[i0 : i0 + rows] += scale · dS · K[j0 : j0 + cols]
                Sgemm.sgemm(rows, d.headSize, cols, scale, w.gradScores, 0, KEY_BLOCK, 1, ks, kBase + (long) j0 * d.headSize, d.headSize, 1,
                        1f, CpuBackend.segment(gradQ), gqBase + (long) i0 * d.headSize, d.headSize, 1);
                // dK[j0 : j0 + cols] += scale · dSᵀ · Q[i0 : i0 + rows]
                Sgemm.sgemm(cols, d.headSize, rows, scale, w.gradScores, 0, 1, KEY_BLOCK, qs, qBase + (long) i0 * d.headSize, d.headSize, 1,
                        1f, CpuBackend.segment(gradK), gkBase + (long) j0 * d.headSize, d.headSize, 1);
            }
        }
    }

    /** scores[r, c] = scale · q[i0 + r] · k[j0 + c], -inf where the causal mask hides key j0 + c from row i0 + r. */
    private static void scores(Operand q, Operand k, float scale, boolean causal, Dims d, int b, int i0, int rows, int j0, int cols,
                               MemorySegment scores) {
        Sgemm.sgemm(rows, cols, d.headSize, scale,
                CpuBackend.segment(q), q.offset() + ((long) b * d.queries + i0) * d.headSize, d.headSize, 1,
                CpuBackend.segment(k), k.offset() + ((long) b * d.keys + j0) * d.headSize, 1, d.headSize,
                0f, scores, 0, KEY_BLOCK, 1);
        if (causal && j0 + cols - 1 > i0) {
            for (int r = 0; r < rows; r++) {
                int firstHidden = Math.max(0, i0 + r + 1 - j0);
                for (int c = firstHidden; c < cols; c++) {
                    scores.setAtIndex(ValueLayout.JAVA_FLOAT, (long) r * KEY_BLOCK + c, Float.NEGATIVE_INFINITY);
                }
            }
        }
    }

    private static float rowMax(MemorySegment s, long row, int n) {
        int whole = n - n % FloatKernels.L;
        FloatVector m = FloatVector.broadcast(FloatKernels.S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < whole; i += FloatKernels.L) {
            m = m.max(FloatKernels.load(s, row + i * FLOAT));
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (int i = whole; i < n; i++) {
            max = Math.max(max, s.get(ValueLayout.JAVA_FLOAT, row + i * FLOAT));
        }
        return max;
    }

    /** s = e^(s - shift) over a row of n, in place; returns the row's sum. */
    private static float expShifted(MemorySegment s, long row, int n, float shift) {
        int whole = n - n % FloatKernels.L;
        for (int i = 0; i < whole; i += FloatKernels.L) {
            FloatKernels.store(FloatKernels.load(s, row + i * FLOAT).sub(shift), s, row + i * FLOAT);
        }
        VectorMath.exp(1, s, row, s, row, whole);
        FloatVector acc = FloatVector.zero(FloatKernels.S);
        for (int i = 0; i < whole; i += FloatKernels.L) {
            acc = acc.add(FloatKernels.load(s, row + i * FLOAT));
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int i = whole; i < n; i++) {
            float e = (float) Math.exp(s.get(ValueLayout.JAVA_FLOAT, row + i * FLOAT) - shift);
            s.set(ValueLayout.JAVA_FLOAT, row + i * FLOAT, e);
            sum += e;
        }
        return sum;
    }

    /** g = p ∘ (g - delta) over a row of n. */
    private static void softmaxGradRow(MemorySegment p, MemorySegment g, long row, int n, float delta) {
        int whole = n - n % FloatKernels.L;
        for (int i = 0; i < whole; i += FloatKernels.L) {
            long at = row + i * FLOAT;
            FloatKernels.store(FloatKernels.load(g, at).sub(delta).mul(FloatKernels.load(p, at)), g, at);
        }
        for (int i = whole; i < n; i++) {
            long at = row + i * FLOAT;
            g.set(ValueLayout.JAVA_FLOAT, at, (g.get(ValueLayout.JAVA_FLOAT, at) - delta) * p.get(ValueLayout.JAVA_FLOAT, at));
        }
    }

    private static void scaleRow(MemorySegment s, long row, int n, float factor) {
        int whole = n - n % FloatKernels.L;
        for (int i = 0; i < whole; i += FloatKernels.L) {
            FloatKernels.store(FloatKernels.load(s, row + i * FLOAT).mul(factor), s, row + i * FLOAT);
        }
        for (int i = whole; i < n; i++) {
            s.set(ValueLayout.JAVA_FLOAT, row + i * FLOAT, s.get(ValueLayout.JAVA_FLOAT, row + i * FLOAT) * factor);
        }
    }

    /** The dot product of n floats at element offsets a and b of two segments (in double, as the reference). */
    private static float dot(MemorySegment as, long a, MemorySegment bs, long b, int n) {
        double sum = 0;
        for (int e = 0; e < n; e++) {
            sum += (double) as.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, a + e) * bs.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, b + e);
        }
        return (float) sum;
    }

    private static void zero(Operand t, long offset, long n) {
        CpuBackend.segment(t).asSlice(offset * FLOAT, n * FLOAT).fill((byte) 0);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** One thread's block buffers, grown to the largest call seen (native, so Sgemm and the vector loops read them directly). */
    private static final class Blocks {
        final MemorySegment scores = Arena.ofAuto().allocate((long) QUERY_BLOCK * KEY_BLOCK * FLOAT, 64);
        final MemorySegment gradScores = Arena.ofAuto().allocate((long) QUERY_BLOCK * KEY_BLOCK * FLOAT, 64);
        final float[] rowMax = new float[QUERY_BLOCK];
        final float[] rowSum = new float[QUERY_BLOCK];
        MemorySegment accumulator = MemorySegment.NULL;
        float[] delta = new float[0];

        /** Room for a query block's output accumulator (forward). */
        Blocks reserve(int valueSize) {
            long accBytes = (long) QUERY_BLOCK * valueSize * FLOAT;
            if (accumulator.byteSize() < accBytes) {
                accumulator = Arena.ofAuto().allocate(accBytes, 64);
            }
            return this;
        }

        /** Room for one softmax-backward row term per query (backward). */
        float[] delta(int queries) {
            if (delta.length < queries) {
                delta = new float[queries];
            }
            return delta;
        }
    }
}
