package dev.panamax.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainFilesTest {
    @TempDir
    Path dir;

    @Test
    void atomicWriteLeavesTheOldFileWhenTheWriterDiesMidway() throws IOException {
        Path f = dir.resolve("checkpoint.bin");
        AtomicFiles.write(f, out -> out.write(new byte[] {1, 2, 3}));
        IOException crash = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[] {9, 9});
            throw new IOException("simulated crash");
        }));
        assertEquals("simulated crash", crash.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
        AtomicFiles.write(f, out -> out.write(new byte[] {4}));
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(f));
    }

    /** An atomically written file gets the permissions of any new file there (the umask's), not owner-only ones. */
    @Test
    void atomicWriteGivesTheUsualPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path plain = Files.createFile(dir.resolve("plain.csv"));
        Path atomic = dir.resolve("history.csv");
        AtomicFiles.write(atomic, out -> out.write(1));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    /** Reads the records back, checking both CRCs, and decodes the scalar values. */
    @Test
    void tensorBoardRecordsCarryValidCrcsAndTheScalars() throws IOException {
        Path file;
        try (TensorBoardWriter w = new TensorBoardWriter(dir)) {
            w.scalar("loss/train", 1, 0.5);
            w.scalar("accuracy/val", 2, 0.875);
            file = w.file();
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> records = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] len = new byte[8];
            b.get(len);
            assertEquals(TensorBoardWriter.maskedCrc(len), b.getInt(), "length crc");
            byte[] data = new byte[(int) ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong()];
            b.get(data);
            assertEquals(TensorBoardWriter.maskedCrc(data), b.getInt(), "data crc");
            records.add(data);
        }
        assertEquals(3, records.size());
        assertTrue(new String(records.get(0), StandardCharsets.ISO_8859_1).contains("brain.Event:2"));
        String second = new String(records.get(1), StandardCharsets.ISO_8859_1);
        assertTrue(second.contains("loss/train"));
        // the float 0.5 follows the tag as field 2, wire type 5 (key 0x15)
        int at = second.indexOf("loss/train") + "loss/train".length();
        assertEquals(0x15, records.get(1)[at]);
        assertEquals(0.5f, ByteBuffer.wrap(records.get(1), at + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
    }

    @Test
    void maskedCrcMatchesTensorFlowsKnownValue() {
        // TensorFlow's crc32c::Mask of the CRC-32C of "123456789" (0xE3069283)
        int crc = 0xE3069283;
        int expected = ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
        assertEquals(expected, TensorBoardWriter.maskedCrc("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void curvePlotWritesAPngWithOnePanelPerMetric() throws IOException {
        Path png = dir.resolve("curves.png");
        CurvePlot.write(png, "epoch", List.of(
                new CurvePlot.Panel("loss", List.of(new CurvePlot.Series("train", List.of(0.9, 0.5, 0.4)),
                        new CurvePlot.Series("val", List.of(0.8, 0.55, 0.5)))),
                new CurvePlot.Panel("accuracy", List.of(new CurvePlot.Series("val", List.of(0.7, 0.8, Double.NaN))))));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(960, img.getWidth());
        assertTrue(img.getHeight() > 100);
    }

    @Test
    void progressPrintsPlainLinesWhenNotATerminal() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), false, "epoch 1/3", 10);
        bar.update(1, 64, 2.3);
        bar.update(10, 640, 0.7);
        String s = buf.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("epoch 1/3 1/10") && s.contains("epoch 1/3 10/10") && s.contains("loss 0.7000"), s);
        assertTrue(!s.contains("\r"));
        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        new ProgressBar(new PrintStream(tty, true, StandardCharsets.UTF_8), true, "e", 4).update(4, 4, 1);
        assertTrue(tty.toString(StandardCharsets.UTF_8).startsWith("\re [====="), tty.toString(StandardCharsets.UTF_8));
        assertEquals("1:01:05", ProgressBar.clock(3665));
    }
}
