package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.backend.ReduceDims;
import dev.panamax.backend.ReduceOp;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Reductions over any set of dims. Float32 has two vector paths, chosen from the layout: the
 * reduced elements of one output are a dense run ("inner", e.g. a row sum), or the outputs are
 * dense and the reduction walks over them ("outer", e.g. a column sum or a bias gradient).
 * Everything else takes the scalar double path. Sums are accumulated in fixed blocks whose
 * partials are added in order, so the result does not depend on the thread count.
 */
final class Reductions {
    /** Elements summed in float lanes before the partial goes into a double. */
    private static final int BLOCK = 4096;
    private static final long GRAIN = 65_536;

    private Reductions() {}

    static void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        ReduceDims split = ReduceDims.split(x, dims, out);
        Layouts.Collapsed kept = Layouts.collapse(split.keptShape(), split.keptX(), split.keptOut());
        Layouts.Collapsed red = Layouts.collapse(split.redShape(), split.redX());
        long outputs = out.numel();
        if (split.perOutput() == 0 || outputs == 0) {
            CpuBackend.instance().fill(out, op.identity());
            return;
        }
        boolean floats = x.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32;
        if (floats && red.innerStride(0) == 1) {
            inner(op, x, out, kept, red, outputs);
        } else if (floats && kept.innerStride(0) == 1 && kept.innerStride(1) == 1 && kept.inner() > 1) {
            outer(op, x, out, kept, red);
        } else {
            general(op, x, out, kept, red, outputs);
        }
    }

    static double combine(ReduceOp op, double acc, double v) {
        return switch (op) {
            case SUM -> acc + v;
            case PROD -> acc * v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    /** Each output reduces dense runs of the reduced elements. */
    private static void inner(ReduceOp op, Operand x, Operand out, Layouts.Collapsed kept, Layouts.Collapsed red, long outputs) {
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment os = CpuBackend.segment(out);
        long run = red.inner();
        long runs = Arrays.stream(red.shape()).reduce(1, (a, b) -> a * b) / run;
        if (outputs == 1 && runs == 1) {
            // one long run: split it into fixed blocks, reduce blocks in parallel, combine in order
            long blocks = (run + BLOCK - 1) / BLOCK;
            double[] partial = new double[(int) blocks];
            Parallel.forRange(blocks, Math.max(1, GRAIN / BLOCK), (from, to) -> {
                for (long b = from; b < to; b++) {
                    long start = b * BLOCK;
                    partial[(int) b] = floatRun(op, xs, x.offset() + start, (int) Math.min(BLOCK, run - start));
                }
            });
            double acc = op.identity();
            for (double p : partial) {
                acc = combine(op, acc, p);
            }
            Elements.write(os, DType.FLOAT32, out.offset(), acc);
            return;
        }
        long grain = Math.max(1, GRAIN / (run * runs));
        // the reduced dims but the innermost (dense) one: where each run starts
        long[] runsShape = Arrays.copyOf(red.shape(), red.rank() - 1);
        long[][] runsStrides = {Arrays.copyOf(red.strides()[0], red.rank() - 1)};
        Parallel.forRange(outputs, grain, (from, to) -> {
            Odometer keptIt = new Odometer(kept.shape(), kept.strides(), new long[] {x.offset(), out.offset()}, from);
            for (long o = from; o < to; o++) {
                Odometer runIt = new Odometer(runsShape, runsStrides, new long[] {keptIt.offset(0)}, 0);
                double acc = op.identity();
                for (long r = 0; r < runs; r++) {
                    for (long s = 0; s < run; s += BLOCK) {
                        acc = combine(op, acc, floatRun(op, xs, runIt.offset(0) + s, (int) Math.min(BLOCK, run - s)));
                    }
                    runIt.next();
                }
                Elements.write(os, DType.FLOAT32, keptIt.offset(1), acc);
                keptIt.next();
            }
        });
    }

    /** Reduces a dense float run of at most {@link #BLOCK} elements with vectors. */
    private static double floatRun(ReduceOp op, MemorySegment s, long index, int n) {
        int l = FloatKernels.L;
        long base = index * 4;
        int i = 0;
        FloatVector acc = FloatVector.broadcast(FloatKernels.S, (float) op.identity());
        for (; i <= n - l; i += l) {
            FloatVector v = FloatKernels.load(s, base + 4L * i);
            acc = switch (op) {
                case SUM -> acc.add(v);
                case PROD -> acc.mul(v);
                case MAX -> acc.max(v);
                case MIN -> acc.min(v);
            };
        }
        // lanes combined one by one in lane order: reduceLanes(ADD/MUL) leaves the order unspecified,
        // and the interpreter and the C2 intrinsic do differ, so a sum changed once the JIT kicked in
        double r = op.identity();
        for (float lane : acc.toArray()) {
            r = combine(op, r, lane);
        }
        for (; i < n; i++) {
            r = combine(op, r, s.getAtIndex(ValueLayout.JAVA_FLOAT, index + i));
        }
        return r;
    }

    /** Outputs are dense along the innermost kept dim: accumulate whole vectors of outputs per reduced element. */
    private static void outer(ReduceOp op, Operand x, Operand out, Layouts.Collapsed kept, Layouts.Collapsed red) {
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment os = CpuBackend.segment(out);
        long inner = kept.inner();
        long tilesPerRow = (inner + Scratch.TILE - 1) / Scratch.TILE;
        long rows = out.numel() / inner;
        long reducedCount = Arrays.stream(red.shape()).reduce(1, (a, b) -> a * b);
        long grain = Math.max(1, GRAIN / (Math.min(inner, Scratch.TILE) * reducedCount));
        Parallel.forRange(rows * tilesPerRow, grain, (from, to) -> {
            float[] acc = new float[Scratch.TILE];
            double[] total = new double[Scratch.TILE];
            for (long t = from; t < to; t++) {
                long row = t / tilesPerRow;
                long col = (t % tilesPerRow) * Scratch.TILE;
                int n = (int) Math.min(Scratch.TILE, inner - col);
                long xBase = kept.rowOffset(0, row, x.offset()) + col;
                long outBase = kept.rowOffset(1, row, out.offset()) + col;
                Arrays.fill(total, 0, n, op.identity());
                Odometer redIt = new Odometer(red.shape(), red.strides(), new long[] {xBase}, 0);
                for (long r = 0; r < reducedCount; r += BLOCK) {
                    Arrays.fill(acc, 0, n, (float) op.identity());
                    long end = Math.min(reducedCount, r + BLOCK);
                    for (long q = r; q < end; q++) {
                        accumulateRow(op, xs, redIt.offset(0), acc, n);
                        redIt.next();
                    }
                    for (int i = 0; i < n; i++) {
                        total[i] = combine(op, total[i], acc[i]);
                    }
                }
                for (int i = 0; i < n; i++) {
                    os.setAtIndex(ValueLayout.JAVA_FLOAT, outBase + i, (float) total[i]);
                }
            }
        });
    }

    private static void accumulateRow(ReduceOp op, MemorySegment xs, long index, float[] acc, int n) {
        int l = FloatKernels.L;
        int i = 0;
        // The accumulator is read as an array: a heap segment here would make FloatKernels.load's
        // shared profile bimorphic for every kernel that inlines it.
        for (; i <= n - l; i += l) {
            FloatVector a = FloatVector.fromArray(FloatKernels.S, acc, i);
            FloatVector v = FloatKernels.load(xs, 4 * (index + i));
            (switch (op) {
                case SUM -> a.add(v);
                case PROD -> a.mul(v);
                case MAX -> a.max(v);
                case MIN -> a.min(v);
            }).intoArray(acc, i);
        }
        for (; i < n; i++) {
            acc[i] = (float) combine(op, acc[i], xs.getAtIndex(ValueLayout.JAVA_FLOAT, index + i));
        }
    }

    /** Any dtype, any layout: one double accumulator per output. */
    private static void general(ReduceOp op, Operand x, Operand out, Layouts.Collapsed kept, Layouts.Collapsed red, long outputs) {
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment os = CpuBackend.segment(out);
        long perOutput = Arrays.stream(red.shape()).reduce(1, (a, b) -> a * b);
        if (x.dtype().isIntegral() && out.dtype().isIntegral()) {
            generalIntegral(op, x, out, kept, red, outputs, perOutput);
            return;
        }
        Parallel.forRange(outputs, Math.max(1, GRAIN / perOutput), (from, to) -> {
            Odometer keptIt = new Odometer(kept.shape(), kept.strides(), new long[] {x.offset(), out.offset()}, from);
            for (long o = from; o < to; o++) {
                Odometer redIt = new Odometer(red.shape(), red.strides(), new long[] {keptIt.offset(0)}, 0);
                double acc = op.identity();
                for (long r = 0; r < perOutput; r++) {
                    acc = combine(op, acc, Elements.read(xs, x.dtype(), redIt.offset(0)));
                    redIt.next();
                }
                Elements.write(os, out.dtype(), keptIt.offset(1), acc);
                keptIt.next();
            }
        });
    }

    /**
     * Integer input and output: exact long accumulation (wrapping on overflow, like int64), never
     * through a double, which would round sums and products beyond 2^53.
     */
    private static void generalIntegral(ReduceOp op, Operand x, Operand out, Layouts.Collapsed kept, Layouts.Collapsed red,
                                        long outputs, long perOutput) {
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment os = CpuBackend.segment(out);
        Parallel.forRange(outputs, Math.max(1, GRAIN / perOutput), (from, to) -> {
            Odometer keptIt = new Odometer(kept.shape(), kept.strides(), new long[] {x.offset(), out.offset()}, from);
            for (long o = from; o < to; o++) {
                Odometer redIt = new Odometer(red.shape(), red.strides(), new long[] {keptIt.offset(0)}, 0);
                long acc = switch (op) {
                    case SUM -> 0;
                    case PROD -> 1;
                    case MAX -> Long.MIN_VALUE;
                    case MIN -> Long.MAX_VALUE;
                };
                for (long r = 0; r < perOutput; r++) {
                    long v = Elements.readLong(xs, x.dtype(), redIt.offset(0));
                    acc = switch (op) {
                        case SUM -> acc + v;
                        case PROD -> acc * v;
                        case MAX -> Math.max(acc, v);
                        case MIN -> Math.min(acc, v);
                    };
                    redIt.next();
                }
                writeIntegral(os, out.dtype(), keptIt.offset(1), acc);
                keptIt.next();
            }
        });
    }

    /** Writes an integer exactly into an integer-typed element. */
    private static void writeIntegral(MemorySegment s, DType t, long index, long v) {
        switch (t) {
            case INT64 -> s.setAtIndex(ValueLayout.JAVA_LONG, index, v);
            case INT32 -> s.setAtIndex(ValueLayout.JAVA_INT, index, (int) v);
            default -> Elements.write(s, t, index, v);
        }
    }

    /** Max/min along one dim with the first index where it occurs; a NaN wins over numbers. */
    static void argReduce(ReduceOp op, Operand x, int dim, Operand values, Operand indices) {
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment vs = CpuBackend.segment(values);
        MemorySegment is = CpuBackend.segment(indices);
        long n = x.shape()[dim];
        long step = x.strides()[dim];
        long[] outerShape = values.shape();
        long[][] strides = {x.strides(), values.strides(), indices.strides()};
        long outputs = values.numel();
        Parallel.forRange(outputs, Math.max(1, GRAIN / Math.max(1, n)), (from, to) -> {
            Odometer it = new Odometer(outerShape, strides, new long[] {x.offset(), values.offset(), indices.offset()}, from);
            for (long o = from; o < to; o++) {
                long best = 0;
                if (x.dtype().isIntegral()) {
                    // compared and copied as longs: through a double, int64 values beyond 2^53 tied and came back rounded
                    long bestLong = Elements.readLong(xs, x.dtype(), it.offset(0));
                    for (long i = 1; i < n; i++) {
                        long v = Elements.readLong(xs, x.dtype(), it.offset(0) + i * step);
                        if (op == ReduceOp.MAX ? v > bestLong : v < bestLong) {
                            best = i;
                            bestLong = v;
                        }
                    }
                    writeIntegral(vs, values.dtype(), it.offset(1), bestLong);
                    writeIntegral(is, indices.dtype(), it.offset(2), best);
                    it.next();
                    continue;
                }
                double bestValue = Elements.read(xs, x.dtype(), it.offset(0));
                for (long i = 1; i < n && !Double.isNaN(bestValue); i++) {
                    double v = Elements.read(xs, x.dtype(), it.offset(0) + i * step);
                    boolean better = Double.isNaN(v) || (op == ReduceOp.MAX ? v > bestValue : v < bestValue);
                    if (better) {
                        best = i;
                        bestValue = v;
                    }
                }
                Elements.write(vs, values.dtype(), it.offset(1), bestValue);
                Elements.write(is, indices.dtype(), it.offset(2), best);
                it.next();
            }
        });
    }
}
