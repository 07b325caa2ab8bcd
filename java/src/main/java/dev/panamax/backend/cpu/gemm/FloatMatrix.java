package dev.panamax.backend.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A float matrix inside a segment with general strides: element (i, j) is the float at index
 * {@code offset + i * rowStride + j * colStride}. Callers check the extents first (see {@link Operands}).
 */
record FloatMatrix(MemorySegment segment, long offset, long rowStride, long colStride) {
    /** Tensors may be views at any byte offset, so never assume 4-byte alignment. */
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    long index(long i, long j) {
        return offset + i * rowStride + j * colStride;
    }

    float get(long i, long j) {
        return segment.getAtIndex(FLOAT, index(i, j));
    }

    void set(long i, long j, float value) {
        segment.setAtIndex(FLOAT, index(i, j), value);
    }

    /** The same view moved by {@code elements} floats (the next matrix of a batch). */
    FloatMatrix shifted(long elements) {
        return new FloatMatrix(segment, offset + elements, rowStride, colStride);
    }
}
