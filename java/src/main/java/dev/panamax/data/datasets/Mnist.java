package dev.panamax.data.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The MNIST handwritten digits (LeCun et al.) from a directory of its four IDX files. */
public final class Mnist {
    /** Class names, as torchvision's {@code MNIST.classes}. */
    public static final List<String> CLASSES = List.of("0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
            "6 - six", "7 - seven", "8 - eight", "9 - nine");

    private Mnist() {}

    /** Both splits from {@code dir}; throws naming the missing files when it lacks one. */
    public static MnistData load(Path dir) throws IOException {
        return MnistFiles.load(dir, "MNIST", CLASSES.size(), false, "");
    }
}
