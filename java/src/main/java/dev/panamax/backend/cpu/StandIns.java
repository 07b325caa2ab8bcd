package dev.panamax.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Per-thread memory that stands in for a row kernel's absent operands, chosen once per call, so that its loops read
 * and write every operand with no null test: a test whose outcome varies between calls lets C2 hoist one call's path
 * out of a loop, and the next call's traps (bench/README.md, the recompilation storm). An absent addend reads −0,
 * the exact additive identity (x + −0 is x for every x, ±0 included), or +0 where the sum of nothing must be +0, one
 * row of it for every row; an absent output is written to a sink nobody reads, as large as the output, so the
 * workers of a call write disjoint parts of it. The calling thread's stand-ins serve its call's workers, which only
 * read the zeros, and the call returns before the thread can grow them again.
 */
final class StandIns {
    private static final ThreadLocal<StandIns> LOCAL = ThreadLocal.withInitial(StandIns::new);
    /** Eight bytes of −0 floats, and of a −0 double. */
    private static final long NEGATIVE_FLOATS = 0x80000000_80000000L;
    private static final long NEGATIVE_DOUBLE = Double.doubleToRawLongBits(-0.0);

    private MemorySegment zeros = MemorySegment.NULL;
    private MemorySegment negativeFloats = MemorySegment.NULL;
    private MemorySegment negativeDoubles = MemorySegment.NULL;
    private MemorySegment sink = MemorySegment.NULL;

    private StandIns() {}

    /** This thread's stand-ins. */
    static StandIns get() {
        return LOCAL.get();
    }

    /** At least {@code bytes} of +0. */
    MemorySegment zeros(long bytes) {
        if (zeros.byteSize() < bytes) {
            zeros = allocate(bytes);
        }
        return zeros;
    }

    /** At least {@code bytes} of −0 in the float type of {@code size} bytes (4 or 8). */
    MemorySegment negativeZeros(long bytes, int size) {
        MemorySegment s = size == Float.BYTES ? negativeFloats : negativeDoubles;
        if (s.byteSize() < bytes) {
            s = allocate(bytes);
            long pattern = size == Float.BYTES ? NEGATIVE_FLOATS : NEGATIVE_DOUBLE;
            for (long i = 0; i < s.byteSize(); i += Long.BYTES) {
                s.set(ValueLayout.JAVA_LONG, i, pattern);
            }
            if (size == Float.BYTES) {
                negativeFloats = s;
            } else {
                negativeDoubles = s;
            }
        }
        return s;
    }

    /** At least {@code bytes} to write and never read back. */
    MemorySegment sink(long bytes) {
        if (sink.byteSize() < bytes) {
            sink = allocate(bytes);
        }
        return sink;
    }

    /** Zeroed, 64-byte aligned, a whole number of longs. */
    private static MemorySegment allocate(long bytes) {
        return Arena.ofAuto().allocate((bytes + Long.BYTES - 1) / Long.BYTES * Long.BYTES, 64);
    }
}
