package dev.panamax.data.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.data.TensorDataset;
import dev.panamax.data.io.Idx;
import dev.panamax.data.io.MalformedFileException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    /** Checks shape, dtype, range and per-class counts of a split. */
    private static void checkSplit(TensorDataset split, int n, int perClass) {
        assertArrayEquals(new long[] {n, 1, 28, 28}, split.inputs().shape().toArray());
        assertEquals(DType.FLOAT32, split.inputs().dtype());
        assertEquals(DType.INT64, split.labels().dtype());
        try (Tensor min = split.inputs().min(); Tensor max = split.inputs().max()) {
            assertEquals(0.0, min.item());
            assertEquals(1.0, max.item());
        }
        long[] counts = new long[10];
        for (long label : split.labels().toLongArray()) {
            counts[(int) label]++;
        }
        for (long c : counts) {
            assertEquals(perClass, c, "images per class");
        }
    }

    private static float[] first(TensorDataset split) {
        try (Tensor image = split.inputs().select(0, 0)) {
            return image.toFloatArray();
        }
    }

    @Test
    void theEmbeddedSampleIsBalancedSmallAndFromTheFullSet() throws IOException {
        Path sample = FashionMnist.findSample();
        long bytes;
        try (Stream<Path> files = Files.list(sample)) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(bytes <= 3_000_000, "the sample must stay under 3 MB, it has " + bytes + " bytes");
        try (MnistData data = FashionMnist.load(sample)) {
            checkSplit(data.train(), 5000, 500);
            checkSplit(data.test(), 1000, 100);
            assertFalse(data.isSample(), "load(dir) does not know it is the sample");
            // pixels are the uint8 values / 255
            for (float v : first(data.train())) {
                assertEquals(Math.round(v * 255) / 255f, v, 0);
            }
        }
        assertEquals(10, FashionMnist.CLASSES.size());
        assertEquals("Ankle boot", FashionMnist.CLASSES.get(9));
    }

    @Test
    void theSampleIsTheFirstImagesOfEachClassOfTheFullSet() throws IOException {
        Assumptions.assumeTrue(MnistFiles.missing(FashionMnist.SYSTEM_DIR).isEmpty(), "the full set is not installed");
        try (MnistData full = FashionMnist.loadOrSample(null); MnistData sample = FashionMnist.load(FashionMnist.findSample())) {
            assertFalse(full.isSample());
            assertTrue(full.description().startsWith("Fashion-MNIST from " + FashionMnist.SYSTEM_DIR + ": 60000 training and 10000 test images"),
                    full.description());
            assertArrayEquals(new long[] {60000, 1, 28, 28}, full.train().inputs().shape().toArray());
            assertArrayEquals(new long[] {10000}, full.test().labels().shape().toArray());
            // the sample keeps file order and takes the first 500 of each class, so it starts with the full set's first image
            assertArrayEquals(first(full.train()), first(sample.train()));
            assertArrayEquals(first(full.test()), first(sample.test()));
        }
    }

    @Test
    void fallsBackToTheSampleAndSaysWhy() throws IOException {
        Path missing = dir.resolve("nowhere");
        try (MnistData data = FashionMnist.loadOrSample(missing, dir)) {
            assertTrue(data.isSample());
            assertEquals(5000, data.train().size());
            String d = data.description();
            assertTrue(d.startsWith("the embedded Fashion-MNIST sample from " + FashionMnist.findSample() + ": 5000 training and 1000 test images"), d);
            assertTrue(d.contains(missing + " does not exist") && d.contains(dir + " lacks train-images-idx3-ubyte[.gz]")
                    && d.contains("install the Debian package dataset-fashion-mnist"), d);
        }
    }

    @Test
    void aGivenDirectoryWinsWhenItHoldsTheFiles() throws IOException {
        writeSet(dir, new int[] {3, 1}, 4);
        try (MnistData data = FashionMnist.loadOrSample(dir, dir.resolve("absent"))) {
            assertFalse(data.isSample());
            assertEquals(dir, data.directory());
            assertArrayEquals(new long[] {3, 1, 4, 4}, data.train().inputs().shape().toArray());
            assertArrayEquals(new float[] {0, 1 / 255f, 2 / 255f, 3 / 255f}, java.util.Arrays.copyOf(data.train().inputs().toFloatArray(), 4));
            assertArrayEquals(new long[] {0, 1, 2}, data.train().labels().toLongArray());
        }
    }

    @Test
    void theSampleProperty() throws IOException {
        String old = System.getProperty(FashionMnist.SAMPLE_PROPERTY);
        try {
            System.setProperty(FashionMnist.SAMPLE_PROPERTY, dir.toString());
            FileNotFoundException e = assertThrows(FileNotFoundException.class, FashionMnist::findSample);
            assertTrue(e.getMessage().contains("panamax.data.sample=" + dir + " lacks train-images-idx3-ubyte[.gz]"), e.getMessage());
            writeSet(dir, new int[] {2, 2}, 28);
            assertEquals(dir, FashionMnist.findSample());
        } finally {
            if (old == null) {
                System.clearProperty(FashionMnist.SAMPLE_PROPERTY);
            } else {
                System.setProperty(FashionMnist.SAMPLE_PROPERTY, old);
            }
        }
    }

    @Test
    void mnistFilesAreCheckedAgainstEachOther() throws IOException {
        FileNotFoundException missing = assertThrows(FileNotFoundException.class, () -> Mnist.load(dir));
        assertTrue(missing.getMessage().contains("MNIST: " + dir + " lacks train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]"),
                missing.getMessage());
        writeSet(dir, new int[] {3, 2}, 5);
        try (MnistData data = Mnist.load(dir)) {
            assertEquals(2, data.test().size());
            assertEquals("3 - three", Mnist.CLASSES.get(3));
        }
        try (Tensor labels = Tensor.of(new int[] {1, 12, 0}, 3); Tensor u8 = labels.to(DType.UINT8)) {
            Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), u8);
        }
        MalformedFileException bad = assertThrows(MalformedFileException.class, () -> Mnist.load(dir));
        assertTrue(bad.getMessage().contains("train-labels-idx1-ubyte.gz: label 12 is not below the 10 classes"), bad.getMessage());
        try (Tensor labels = Tensor.of(new int[] {1, 2}, 2); Tensor u8 = labels.to(DType.UINT8)) {
            Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), u8);
        }
        bad = assertThrows(MalformedFileException.class, () -> Mnist.load(dir));
        assertTrue(bad.getMessage().contains("expected 3 uint8 labels to match train-images-idx3-ubyte.gz, got uint8[2]"), bad.getMessage());
    }

    /** Writes a tiny MNIST-format set: counts[0] training and counts[1] test images of size × size, pixel i = i % 256, labels i % 10. */
    private static void writeSet(Path dir, int[] counts, int size) throws IOException {
        String[] prefixes = {"train", "t10k"};
        for (int s = 0; s < 2; s++) {
            int n = counts[s];
            int[] pixels = new int[n * size * size];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = i % 256;
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 10;
            }
            try (Tensor p = Tensor.of(pixels, n, size, size); Tensor pu = p.to(DType.UINT8); Tensor l = Tensor.of(labels, n);
                 Tensor lu = l.to(DType.UINT8)) {
                Idx.write(dir.resolve(prefixes[s] + "-images-idx3-ubyte.gz"), pu);
                Idx.write(dir.resolve(prefixes[s] + "-labels-idx1-ubyte"), lu);
            }
        }
    }
}
