package dev.panamax.backend.cpu;

import dev.panamax.backend.cpu.ConvMicroKernels.Packed;
import java.lang.foreign.MemorySegment;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3×3 stride-1 convolution (one group, float32) by Winograd's minimal filtering F(2×2, 3×3) (Lavin
 * and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): a 2×2 output tile is
 * {@code Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A} for its 4×4 input tile d and the 3×3 filter g, 16 multiplies per
 * tile, input and output channel instead of 36. The input gradient of such a convolution is one
 * too ({@link ConvProblem#fullConvolution}), so it comes here when the cost rule says so.
 *
 * <p>Tiles sit in the vector lanes, in the slots of a {@link WinogradInput}; a task takes a block of
 * consecutive slots and
 * <ol>
 *   <li>transforms their input into V [point][input channel][slot];</li>
 *   <li>for each of the 16 points, multiplies the transformed filters U [output × input channel] by V,
 *       the shape of a 1×1 convolution, with the direct convolution's {@link ConvMicroKernels#packedRows}
 *       (taps = input channels);</li>
 *   <li>transforms the products back, one output channel at a time, and stores the tiles' rows.</li>
 * </ol>
 * A block is the lanes of one kernel call (96 or 64 slots), so that its V stays in L2 up to 128
 * input channels; blocks are fixed by the problem alone, so results do not depend on the thread
 * count.
 *
 * <p>F(4×4, 3×3) needs 2.25 instead of 4 multiplies per output but loses accuracy: on 64 channels of
 * normal inputs with PyTorch's default weight scale its largest error was 1.7e-5 (6.7e-6 of the
 * largest output), above the float32 tests' tolerance of 1e-5 + 1e-4·|y|; F(2×2, 3×3) errs by less
 * than the direct kernels (8e-7 against 2e-6).
 */
final class WinogradConv {
    private static final VectorSpecies<Float> S = ConvMicroKernels.S;
    private static final int L = ConvMicroKernels.L;
    /** Points of a transformed tile, (2 + 2)². */
    static final int POINTS = 16;
    /**
     * Time of the input and output transforms (fill, transform, inverse transform, store) per slot
     * and channel, in multiply-add lanes of the kernels: fitted to c64 56² at 1 thread on Zen 4
     * (batch 8: 13.5 ms against the direct 18.0). The model then picks the faster algorithm at c16,
     * c32, c64, c128 on 14², 28², 56² except c32 56², Winograd by 10 % (4.4 against 4.9 ms) where
     * it predicts a tie; Winograd loses at c16 (56²: 1.6 against 1.3 ms).
     */
    private static final double TRANSFORM_LANES = 300;
    /** Floats of L2 per core (1 MiB on Zen 4). */
    private static final long L2_FLOATS = 1 << 18;
    /**
     * Slowdown of the products when a block's V outgrows L2 and every block of output channels
     * streams it from L3: 1.3 measured at 256 channels (28², two images: 15.5 ms against 19.0 direct),
     * 1.6 at 512 (28², one image: 36.7 against 40.3), which the rule then leaves to the direct
     * kernels, erring on the safe side.
     */
    private static final double BEYOND_L2 = 1.3;
    /** Time of one filter's transform (in double), in multiply-add lanes. */
    private static final double FILTER_LANES = 2000;
    /**
     * Lanes 0..L/2 of two vectors interleaved, and lanes L/2..L, as indexes of
     * {@link FloatVector#selectFrom(jdk.incubator.vector.Vector, jdk.incubator.vector.Vector)} (one
     * two-table permute): (y0, y1) pairs side by side.
     */
    private static final FloatVector ZIP_LOW = indexes(i -> i / 2 + (i % 2) * L);
    private static final FloatVector ZIP_HIGH = indexes(i -> L / 2 + i / 2 + (i % 2) * L);

    private WinogradConv() {}

    /** Whether pr is a convolution this algorithm computes: 3×3, stride 1, dilation 1, one group. */
    static boolean applies(ConvProblem pr) {
        return pr.kh() == 3 && pr.kw() == 3 && pr.strideH() == 1 && pr.strideW() == 1 && pr.dilationH() == 1
                && pr.dilationW() == 1 && pr.groups() == 1;
    }

    /**
     * Multiply-add lanes at the row-vector kernel's speed that a call spends: the products over
     * whole blocks, the transforms of every slot's input and output channels, and the filter
     * transform, with costs measured on Zen 4 (see {@link #TRANSFORM_LANES}).
     */
    static double lanes(ConvProblem pr) {
        Plan plan = plan(pr);
        long slots = RowVectorConv.roundUp(plan.input.slots(), plan.blockSlots());
        long outs = (long) plan.kBlocks(pr) * plan.shape.rows;
        double products = (double) slots * POINTS * pr.in() * outs;
        if ((long) POINTS * pr.in() * plan.blockSlots() > L2_FLOATS) {
            products *= BEYOND_L2;
        }
        return products + slots * TRANSFORM_LANES * (pr.in() + pr.out()) + FILTER_LANES * pr.in() * pr.out();
    }

    /** How a problem is covered: the kernel shape (its lanes are the slots of a block), and the slot grid. */
    record Plan(Packed shape, WinogradInput input) {
        int kBlocks(ConvProblem pr) {
            return RowVectorConv.ceilDiv(pr.out(), shape.rows);
        }

        int blockSlots() {
            return shape.lanes();
        }

        /**
         * Floats between the points of V: one vector more than its input channels' slots, so that the
         * 16 points' stores of a transform do not all fall into one L1 set (64 channels × 96 slots
         * would put them 24 KiB apart, a multiple of 4 KiB).
         */
        int pointStride(ConvProblem pr) {
            return pr.in() * blockSlots() + L;
        }
    }

    /**
     * One kernel call per point and block of output channels covers a block: larger blocks measured
     * slower (their V leaves L2); the shape that pads fewer output channels, 4 × 6 vectors on a tie.
     */
    static Plan plan(ConvProblem pr) {
        Packed shape = RowVectorConv.roundUp(pr.out(), Packed.ROWS4_VECTORS6.rows) <= RowVectorConv.roundUp(pr.out(), Packed.ROWS6_VECTORS4.rows)
                ? Packed.ROWS4_VECTORS6 : Packed.ROWS6_VECTORS4;
        return new Plan(shape, new WinogradInput(pr, shape.lanes()));
    }

    /** y = conv(x) + bias, with the arguments of {@link RowVectorConv#run}. */
    static void run(ConvProblem pr, MemorySegment x, long xOff, float[] weights, float[] bias, MemorySegment y, long yOff) {
        Plan plan = plan(pr);
        float[] u = filters(pr, plan, weights);
        int slots = plan.blockSlots();
        int[] channels = new int[pr.in()];
        for (int c = 0; c < channels.length; c++) {
            channels[c] = c * slots;
        }
        int[] base = new int[POINTS * plan.shape.vectors];
        for (int i = 0; i < base.length; i++) {
            base[i] = i / plan.shape.vectors * plan.pointStride(pr) + i % plan.shape.vectors * L;
        }
        int total = plan.input.slots();
        Parallel.forChunks(RowVectorConv.ceilDiv(total, slots), b -> block(pr, plan, b * slots, Math.min(slots, total - b * slots),
                x, xOff, u, channels, base, bias, y, yOff));
    }

    /**
     * Transformed filters as [point][block of shape.rows output channels][input channel][shape.rows],
     * zero past the last channel; G g Gᵀ in double with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
     */
    private static float[] filters(ConvProblem pr, Plan plan, float[] weights) {
        int rows = plan.shape.rows;
        int kBlocks = plan.kBlocks(pr);
        float[] u = new float[POINTS * kBlocks * pr.in() * rows];
        Parallel.forChunks(kBlocks, kb -> {
            double[] gf = new double[12]; // G f, 4 × 3
            for (int k = kb * rows; k < Math.min(pr.out(), (kb + 1) * rows); k++) {
                for (int c = 0; c < pr.in(); c++) {
                    int tap = c * 9;
                    for (int s = 0; s < 3; s++) {
                        for (int i = 0; i < 4; i++) {
                            gf[i * 3 + s] = g(i, weights[pr.weightIndex(0, k, tap + s)], weights[pr.weightIndex(0, k, tap + 3 + s)],
                                    weights[pr.weightIndex(0, k, tap + 6 + s)]);
                        }
                    }
                    for (int point = 0; point < POINTS; point++) {
                        int i = point / 4;
                        u[((point * kBlocks + kb) * pr.in() + c) * rows + k % rows] =
                                (float) g(point % 4, gf[i * 3], gf[i * 3 + 1], gf[i * 3 + 2]);
                    }
                }
            }
        });
        return u;
    }

    /** Element i of G (f0, f1, f2)ᵀ. */
    private static double g(int i, double f0, double f1, double f2) {
        return switch (i) {
            case 0 -> f0;
            case 1 -> (f0 + f1 + f2) / 2;
            case 2 -> (f0 - f1 + f2) / 2;
            default -> f2;
        };
    }

    /** The {@code count} slots from {@code first}: transform, products, inverse transform, store. */
    private static void block(ConvProblem pr, Plan plan, int first, int count, MemorySegment x, long xOff, float[] u,
                              int[] channels, int[] base, float[] bias, MemorySegment y, long yOff) {
        WinogradScratch scratch = WinogradScratch.get();
        WinogradInput input = plan.input;
        int slots = plan.blockSlots();
        float[] buf = scratch.input(input.length());
        input.fill(x, xOff, first, buf, scratch.line(input.lineLength()));
        float[] v = scratch.transformed(POINTS * plan.pointStride(pr));
        int vectors = RowVectorConv.ceilDiv(count, L);
        for (int c = 0; c < pr.in(); c++) {
            for (int vec = 0; vec < vectors; vec++) {
                input.transform(buf, vec * L, c, scratch.tile, v, c * slots + vec * L, plan.pointStride(pr));
            }
        }
        Packed shape = plan.shape;
        int kBlocks = plan.kBlocks(pr);
        int rows = shape.rows;
        float[] products = scratch.products(POINTS * rows * slots);
        scratch.runs.find(input, first, count, yOff);
        for (int kb = 0; kb < kBlocks; kb++) {
            for (int xi = 0; xi < POINTS; xi++) {
                ConvMicroKernels.packedRows(shape, pr.in(), u, (xi * kBlocks + kb) * pr.in() * rows, channels, v, base,
                        xi * shape.vectors, products, xi * rows * slots, slots);
            }
            store(pr, count, kb * rows, Math.min(rows, pr.out() - kb * rows), products, rows * slots, slots, bias, scratch, y);
        }
    }

    /**
     * Output channels {@code firstOut ..+outs} of the block's {@code count} slots transformed back
     * (Aᵀ M A, Aᵀ = [1 1 1 0; 0 1 −1 −1]) into two rows, [row in tile][slot][column in tile], so
     * consecutive tiles of a tile row form one output row, and stored with the bias along the
     * block's runs (which leave out the dropped slots and what overhangs the output).
     */
    private static void store(ConvProblem pr, int count, int firstOut, int outs, float[] products, int point, int slots, float[] bias,
                              WinogradScratch scratch, MemorySegment y) {
        float[] rows = scratch.rows(4 * slots);
        WinogradScratch.Runs runs = scratch.runs;
        for (int o = 0; o < outs; o++) {
            int k = firstOut + o;
            for (int vec = 0; vec < RowVectorConv.ceilDiv(count, L); vec++) {
                int at = o * slots + vec * L;
                FloatVector m0 = sum(products, at, point, 0);
                FloatVector m1 = sum(products, at, point, 1);
                FloatVector m2 = sum(products, at, point, 2);
                FloatVector m3 = sum(products, at, point, 3);
                FloatVector n0 = difference(products, at, point, 0);
                FloatVector n1 = difference(products, at, point, 1);
                FloatVector n2 = difference(products, at, point, 2);
                FloatVector n3 = difference(products, at, point, 3);
                interleave(m0.add(m1).add(m2), m1.sub(m2).sub(m3), rows, 2 * vec * L);
                interleave(n0.add(n1).add(n2), n1.sub(n2).sub(n3), rows, 2 * (slots + vec * L));
            }
            float add = bias == null ? 0f : bias[k];
            long channel = (long) k * pr.p() * pr.q();
            for (int r = 0; r < runs.count; r++) {
                for (int i = 0; i < runs.rows[r]; i++) {
                    ConvScratch.storeRow(rows, 2 * (i * slots + runs.slot[r]), add, y, runs.start[r] + channel + (long) i * pr.q(),
                            runs.width[r]);
                }
            }
        }
    }

    /** M(0, t) + M(1, t) + M(2, t): the first row of Aᵀ M, column t; points {@code point} apart from {@code at}. */
    private static FloatVector sum(float[] m, int at, int point, int t) {
        return FloatVector.fromArray(S, m, at + t * point).add(FloatVector.fromArray(S, m, at + (4 + t) * point))
                .add(FloatVector.fromArray(S, m, at + (8 + t) * point));
    }

    /** M(1, t) − M(2, t) − M(3, t): the second row of Aᵀ M, column t. */
    private static FloatVector difference(float[] m, int at, int point, int t) {
        return FloatVector.fromArray(S, m, at + (4 + t) * point).sub(FloatVector.fromArray(S, m, at + (8 + t) * point))
                .sub(FloatVector.fromArray(S, m, at + (12 + t) * point));
    }

    /** Writes y0 and y1 (one output row's left and right column of L tiles) side by side from rows[at]. */
    private static void interleave(FloatVector y0, FloatVector y1, float[] rows, int at) {
        ZIP_LOW.selectFrom(y0, y1).intoArray(rows, at);
        ZIP_HIGH.selectFrom(y0, y1).intoArray(rows, at + L);
    }

    /** The index vector whose lane i is index.applyAsInt(i). */
    static FloatVector indexes(IntUnaryOperator index) {
        float[] lanes = new float[L];
        for (int i = 0; i < L; i++) {
            lanes[i] = index.applyAsInt(i);
        }
        return FloatVector.fromArray(S, lanes, 0);
    }
}
