package dev.panamax.bench.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** A worker's results for the runner to compare: the part count, then each part as its length and little-endian floats. */
public final class OutputFile {
    private OutputFile() {}

    public static void write(Path file, List<float[]> parts) throws IOException {
        long bytes = Integer.BYTES;
        for (float[] part : parts) {
            bytes += Integer.BYTES + (long) part.length * Float.BYTES;
        }
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(parts.size());
        for (float[] part : parts) {
            buffer.putInt(part.length);
            buffer.asFloatBuffer().put(part);
            buffer.position(buffer.position() + part.length * Float.BYTES);
        }
        buffer.flip();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    public static List<float[]> read(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int count = buffer.getInt();
        List<float[]> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] part = new float[buffer.getInt()];
            buffer.asFloatBuffer().get(part);
            buffer.position(buffer.position() + part.length * Float.BYTES);
            parts.add(part);
        }
        return parts;
    }
}
