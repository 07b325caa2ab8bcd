package dev.panamax.data.datasets;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28×28 grey images of 10 kinds of clothing,
 * 60000 for training and 10000 for testing, in MNIST's IDX format.
 *
 * <p>{@link #loadOrSample} uses the full set when it is there, else the sample kept with the
 * sources (5000 training and 1000 test images, 500 and 100 per class, taken from the full set by
 * {@code data/make-fashion-mnist-sample.py}), and says which it used.
 */
public final class FashionMnist {
    /** Class names, as torchvision's {@code FashionMNIST.classes}. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");
    /** Where the Debian package {@code dataset-fashion-mnist} installs the full set. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** System property naming the sample's directory. */
    public static final String SAMPLE_PROPERTY = "panamax.data.sample";
    /** The sample's directory relative to the repository root. */
    public static final Path SAMPLE_DIR = Path.of("data", "fashion-mnist-sample");

    private FashionMnist() {}

    /** Both splits from {@code dir}; throws naming the missing files when it lacks one. */
    public static MnistData load(Path dir) throws IOException {
        return MnistFiles.load(dir, "Fashion-MNIST", CLASSES.size(), false, "");
    }

    /**
     * The full set from {@code dir} (when not null) or {@link #SYSTEM_DIR}, whichever holds it
     * first; otherwise the embedded sample, from the {@value #SAMPLE_PROPERTY} system property or
     * {@link #SAMPLE_DIR} under the working directory or one of its parents. The result's
     * description says which was used and, for the sample, why.
     */
    public static MnistData loadOrSample(Path dir) throws IOException {
        return loadOrSample(dir, SYSTEM_DIR);
    }

    /** {@link #loadOrSample(Path)} with another place for the system's copy (for tests). */
    static MnistData loadOrSample(Path dir, Path systemDir) throws IOException {
        StringBuilder tried = new StringBuilder();
        for (Path candidate : dir == null ? new Path[] {systemDir} : new Path[] {dir, systemDir}) {
            List<String> missing = MnistFiles.missing(candidate);
            if (missing.isEmpty()) {
                return load(candidate);
            }
            tried.append(tried.isEmpty() ? "" : "; ").append(candidate)
                    .append(Files.isDirectory(candidate) ? " lacks " + String.join(", ", missing) : " does not exist");
        }
        Path sample = findSample();
        return MnistFiles.load(sample, "Fashion-MNIST", CLASSES.size(), true, " (the full set was not found: " + tried
                + "; install the Debian package dataset-fashion-mnist or give its directory)");
    }

    /** The embedded sample's directory; throws saying where it looked when there is none. */
    public static Path findSample() throws FileNotFoundException {
        String property = System.getProperty(SAMPLE_PROPERTY);
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property);
            List<String> missing = MnistFiles.missing(p);
            if (!missing.isEmpty()) {
                throw new FileNotFoundException("Fashion-MNIST sample: " + SAMPLE_PROPERTY + "=" + property + " lacks " + String.join(", ", missing));
            }
            return p;
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (MnistFiles.missing(p.resolve(SAMPLE_DIR)).isEmpty()) {
                return p.resolve(SAMPLE_DIR);
            }
        }
        throw new FileNotFoundException("Fashion-MNIST sample: no " + SAMPLE_DIR + " under " + cwd + " or its parents, and "
                + SAMPLE_PROPERTY + " is not set");
    }
}
