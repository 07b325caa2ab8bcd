package dev.panamax.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes TensorBoard scalar event files ({@code events.out.tfevents.*}) without TensorFlow: each
 * record is a length, its masked CRC-32C, a serialised {@code tensorflow.Event} protobuf and the
 * data's masked CRC-32C, as TensorFlow's record writer does; {@code tensorboard --logdir} reads
 * them.
 */
public final class TensorBoardWriter implements AutoCloseable {
    private final OutputStream out;
    private final Path file;

    /** Creates a new event file in {@code logDir}. */
    public TensorBoardWriter(Path logDir) throws IOException {
        Files.createDirectories(logDir);
        long now = System.currentTimeMillis() / 1000;
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        this.file = logDir.resolve("events.out.tfevents." + now + "." + host);
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Proto first = new Proto().fixed64(1, Double.doubleToLongBits(now)).string(3, "brain.Event:2");
        writeRecord(first.bytes());
    }

    public Path file() {
        return file;
    }

    /** Adds one scalar point (tag, step, value) and flushes it, so a running TensorBoard sees it. */
    public synchronized void scalar(String tag, long step, double value) throws IOException {
        Proto v = new Proto().string(1, tag).fixed32(2, Float.floatToIntBits((float) value));
        Proto summary = new Proto().message(1, v);
        Proto event = new Proto().fixed64(1, Double.doubleToLongBits(System.currentTimeMillis() / 1000.0))
                .varint(2, step).message(5, summary);
        writeRecord(event.bytes());
        out.flush();
    }

    private void writeRecord(byte[] data) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        out.write(len.array());
        out.write(le32(maskedCrc(len.array())));
        out.write(data);
        out.write(le32(maskedCrc(data)));
    }

    /** TensorFlow's masked CRC-32C: rotate right by 15 bits and add a constant. */
    static int maskedCrc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /** Just enough of the protobuf wire format for Event and Summary. */
    static final class Proto {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Proto varint(int field, long v) {
            key(field, 0);
            rawVarint(v);
            return this;
        }

        Proto fixed64(int field, long bits) {
            key(field, 1);
            buf.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bits).array());
            return this;
        }

        Proto fixed32(int field, int bits) {
            key(field, 5);
            buf.writeBytes(le32(bits));
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.bytes());
        }

        private Proto bytes(int field, byte[] b) {
            key(field, 2);
            rawVarint(b.length);
            buf.writeBytes(b);
            return this;
        }

        private void key(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                buf.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            buf.write((int) v);
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }
}
