package dev.panamax.backend.cpu.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked micro-kernel shapes: {@code rows} rows of A times {@code vectors} vectors of B,
 * so {@code rows * vectors} accumulators live in vector registers for a whole k loop.
 *
 * <p>The register file decides the shape: an accumulator spilled to the stack halves the speed.
 * Each shape has one generated method in {@link MicroKernels}.
 */
enum KernelShape {
    /** 24 accumulators + 4 B vectors + 1 broadcast: for 32 vector registers (AVX-512, NEON, SVE). */
    ROWS6_VECTORS4(6, 4),
    /**
     * 12 accumulators + 2 B vectors + 1 broadcast: for 16 vector registers (AVX2, SSE). On Zen 4 with AVX2,
     * 1024^3 ran at 101 GFLOP/s with this shape, 93 with 4 x 2 vectors and 84 with 3 x 3; 4 x 3 spilled (26).
     */
    ROWS6_VECTORS2(6, 2),
    /**
     * The last micro-panel of a ROWS6_VECTORS4 product when it has 4 rows or fewer ({@link #forRows}): a recurrent
     * step's batch of 64 rows is 10 x 6 + 4, and the 6-row kernel computed 66.
     */
    ROWS4_VECTORS4(4, 4),
    /** ROWS6_VECTORS2's, likewise. */
    ROWS4_VECTORS2(4, 2);

    /** Rows of the shapes {@link #forRows} gives a short micro-panel. */
    private static final int SHORT_ROWS = 4;

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    /** MR: rows of A per micro-kernel call. */
    final int rows;
    /** Vectors of B per micro-kernel call; NR = vectors * LANES. */
    final int vectors;

    KernelShape(int rows, int vectors) {
        this.rows = rows;
        this.vectors = vectors;
    }

    /** NR: columns of B per micro-kernel call. */
    int columns() {
        return vectors * LANES;
    }

    /**
     * The kernel for a micro-panel of {@code rows} rows (at most MR) packed for this shape: a shorter one of the same
     * width when the rows fit it, so fewer padding rows are computed. Every element gets the same FMAs in the same
     * order whichever kernel computes it, so the bits do not change.
     */
    KernelShape forRows(int rows) {
        if (rows > SHORT_ROWS || this.rows <= SHORT_ROWS) {
            return this;
        }
        return vectors == ROWS4_VECTORS4.vectors ? ROWS4_VECTORS4 : ROWS4_VECTORS2;
    }

    /** The shape for this machine's preferred vector width and register count. */
    static KernelShape preferred() {
        return hasThirtyTwoVectorRegisters() ? ROWS6_VECTORS4 : ROWS6_VECTORS2;
    }

    /** x86 has 32 vector registers only with AVX-512; aarch64 always has 32. */
    private static boolean hasThirtyTwoVectorRegisters() {
        String arch = System.getProperty("os.arch", "");
        return SPECIES.vectorBitSize() >= 512 || arch.equals("aarch64") || arch.equals("riscv64");
    }
}
