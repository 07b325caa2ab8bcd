package dev.panamax.data.io;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * How a file stores array elements and the tensor dtype they are read into: stored bytes are
 * decoded chunk by chunk into native-order elements of {@link #dtype}.
 *
 * @param name      the format's own name for the type (for messages): {@code <f4}, {@code F32}, ...
 * @param fileBytes bytes per element in the file
 * @param dtype     the tensor dtype it becomes
 * @param decoder   converts {@code count} stored elements to native elements of {@code dtype}
 */
record StoredType(String name, int fileBytes, DType dtype, Decoder decoder) {
    /** Decodes {@code count} elements from {@code src} (file bytes) into {@code dst} (native order). */
    @FunctionalInterface
    interface Decoder {
        void decode(MemorySegment src, MemorySegment dst, int count);
    }

    /** Elements stored as the dtype itself in a given byte order (swapped when it is not the machine's). */
    static StoredType raw(String name, DType dtype, ByteOrder order) {
        ValueLayout layout = layout(dtype);
        ValueLayout stored = layout.withOrder(order);
        return new StoredType(name, dtype.byteSize(), dtype,
                (src, dst, count) -> MemorySegment.copy(src, stored, 0, dst, layout, 0, count));
    }

    /** One byte per element, any non-zero byte true (a bool tensor holds only 0 and 1). */
    static StoredType bool(String name) {
        return new StoredType(name, 1, DType.BOOL, (src, dst, count) -> {
            for (int i = 0; i < count; i++) {
                dst.set(ValueLayout.JAVA_BYTE, i, (byte) (src.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0));
            }
        });
    }

    /** Signed 8- or 16-bit integers, widened to int32 (Panamax has no narrower signed type). */
    static StoredType signedToInt32(String name, int fileBytes, ByteOrder order) {
        ValueLayout.OfShort shorts = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
        return new StoredType(name, fileBytes, DType.INT32, (src, dst, count) -> {
            for (int i = 0; i < count; i++) {
                int v = fileBytes == 1 ? src.get(ValueLayout.JAVA_BYTE, i) : src.getAtIndex(shorts, i);
                dst.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, v);
            }
        });
    }

    /** IEEE half (little-endian), widened to float32 exactly. */
    static StoredType float16(String name) {
        ValueLayout.OfShort shorts = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        return new StoredType(name, 2, DType.FLOAT32, (src, dst, count) -> {
            for (int i = 0; i < count; i++) {
                dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, Float.float16ToFloat(src.getAtIndex(shorts, i)));
            }
        });
    }

    /** bfloat16 (little-endian): the top half of a float32, widened exactly. */
    static StoredType bfloat16(String name) {
        ValueLayout.OfShort shorts = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        return new StoredType(name, 2, DType.FLOAT32, (src, dst, count) -> {
            for (int i = 0; i < count; i++) {
                dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, Float.intBitsToFloat((src.getAtIndex(shorts, i) & 0xFFFF) << 16));
            }
        });
    }

    /** The unaligned element layout of a dtype (file buffers have no alignment). */
    static ValueLayout layout(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> ValueLayout.JAVA_FLOAT_UNALIGNED;
            case FLOAT64 -> ValueLayout.JAVA_DOUBLE_UNALIGNED;
            case INT32 -> ValueLayout.JAVA_INT_UNALIGNED;
            case INT64 -> ValueLayout.JAVA_LONG_UNALIGNED;
            case UINT8, BOOL -> ValueLayout.JAVA_BYTE;
        };
    }
}
