package dev.panamax.data.io;

import dev.panamax.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz}: a zip archive of {@code .npy} files, stored ({@code numpy.savez}) or
 * deflated ({@code numpy.savez_compressed}). Arrays are named by their entry names without
 * {@code .npy}, in archive order.
 */
public final class Npz {
    /** Entries get this time (the earliest zip can hold), so the same arrays give the same bytes. */
    private static final LocalDateTime ZIP_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0);

    private Npz() {}

    /** The arrays of an archive; the caller closes them. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | EOFException e) {
            throw new MalformedFileException(file.toString(), "not a readable zip archive (.npz): " + e.getMessage(), e);
        }
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        try (zip) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String source = file + "!/" + entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                if (!entry.getName().endsWith(".npy")) {
                    throw new MalformedFileException(source, "entry is not a .npy array (an .npz holds only .npy files)");
                }
                String name = entry.getName().substring(0, entry.getName().length() - 4);
                if (arrays.containsKey(name)) {
                    throw new MalformedFileException(source, "the archive holds two arrays named '" + name + "'");
                }
                // the zip reader checks no checksum of stored entries: check it here, as numpy does
                try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(entry), new CRC32())) {
                    Tensor t = Npy.read(ByteSource.of(in, source));
                    arrays.put(name, t);
                    if (entry.getCrc() != -1 && in.getChecksum().getValue() != entry.getCrc()) {
                        throw new MalformedFileException(source, String.format("damaged data: its CRC-32 is %08x but the archive says %08x",
                                in.getChecksum().getValue(), entry.getCrc()));
                    }
                } catch (ZipException e) {
                    throw new MalformedFileException(source, "corrupt archive entry: " + e.getMessage(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            arrays.values().forEach(Tensor::close);
            throw e;
        }
        return arrays;
    }

    /**
     * Writes {@code arrays} as {@code name.npy} entries: deflated when {@code compressed} (like
     * {@code savez_compressed}), else stored (like {@code savez}).
     */
    public static void write(Path file, Map<String, Tensor> arrays, boolean compressed) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(out, arrays, compressed);
        }
    }

    public static void write(OutputStream out, Map<String, Tensor> arrays, boolean compressed) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
            long bytes = TensorWriter.dataBytes(e.getValue());
            if (bytes > Integer.MAX_VALUE - (1 << 20)) {
                throw new IllegalArgumentException("Npz.write: array '" + e.getKey() + "' " + e.getValue().describe()
                        + " is over 2 GB; write it with Npy.write instead");
            }
            ByteArrayOutputStream npy = new ByteArrayOutputStream((int) bytes + 128);
            Npy.write(npy, e.getValue());
            ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
            entry.setTimeLocal(ZIP_EPOCH);
            if (!compressed) {
                // a stored entry declares its size and checksum up front
                CRC32 crc = new CRC32();
                crc.update(npy.toByteArray());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(npy.size());
                entry.setCompressedSize(npy.size());
                entry.setCrc(crc.getValue());
            }
            zip.putNextEntry(entry);
            npy.writeTo(zip);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }
}
