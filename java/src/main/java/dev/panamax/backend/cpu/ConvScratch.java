package dev.panamax.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per-thread heap buffers of the direct convolutions (grown on demand, reused across calls, so a
 * call allocates nothing per image), and the moves between them and tensor memory.
 */
final class ConvScratch {
    private static final ThreadLocal<ConvScratch> LOCAL = ThreadLocal.withInitial(ConvScratch::new);
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private float[] band = new float[0];
    private float[] staging = new float[0];
    private float[] out = new float[0];
    private float[] tile = new float[0];
    private float[] partials = new float[0];

    private ConvScratch() {}

    static ConvScratch get() {
        return LOCAL.get();
    }

    /** An {@link InputBand}'s buffer. */
    float[] band(int length) {
        band = Scratch.atLeast(band, length);
        return band;
    }

    /** Tensor rows copied in bulk before they are spread into a band (small copies out of tensor memory are slow). */
    float[] staging(int length) {
        staging = Scratch.atLeast(staging, length);
        return staging;
    }

    /** Results of one band before they are stored (or, for the weight gradient, the transposed output gradient). */
    float[] out(int length) {
        out = Scratch.atLeast(out, length);
        return out;
    }

    /** One micro-kernel tile, or a band's output gradient before it is transposed. */
    float[] tile(int length) {
        tile = Scratch.atLeast(tile, length);
        return tile;
    }

    /** Per-chunk partial sums of a weight gradient, filled by the pool's threads for the calling thread. */
    float[] partials(int length) {
        partials = Scratch.atLeast(partials, length);
        return partials;
    }

    /** dst[dstIndex ..+count) = src[at ..+count) + add, into dense float32 tensor memory. */
    static void storeRow(float[] src, int at, float add, MemorySegment dst, long dstIndex, int count) {
        FloatVector bias = FloatVector.broadcast(S, add);
        int i = 0;
        for (int whole = count - count % S.length(); i < whole; i += S.length()) {
            FloatVector.fromArray(S, src, at + i).add(bias).intoMemorySegment(dst, (dstIndex + i) * Float.BYTES, NATIVE);
        }
        if (i < count) {
            VectorMask<Float> in = S.indexInRange(i, count);
            FloatVector.fromArray(S, src, at + i, in).add(bias).intoMemorySegment(dst, (dstIndex + i) * Float.BYTES, NATIVE, in);
        }
    }
}
