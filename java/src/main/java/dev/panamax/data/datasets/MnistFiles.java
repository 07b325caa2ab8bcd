package dev.panamax.data.datasets;

import dev.panamax.data.TensorDataset;
import dev.panamax.data.io.Idx;
import dev.panamax.data.io.MalformedFileException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The four IDX files of an MNIST-family directory ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-...}, each plain or {@code .gz}) and their loading.
 */
final class MnistFiles {
    static final String[] NAMES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private MnistFiles() {}

    /** The files {@code dir} lacks (each name without .gz), or an empty list when it has all four. */
    static List<String> missing(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String name : NAMES) {
            if (find(dir, name) == null) {
                missing.add(name + "[.gz]");
            }
        }
        return missing;
    }

    private static Path find(Path dir, String name) {
        for (Path p : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    static MnistData load(Path dir, String dataset, int classes, boolean isSample, String note) throws IOException {
        List<String> missing = missing(dir);
        if (!missing.isEmpty()) {
            throw new java.io.FileNotFoundException(dataset + ": " + dir + " lacks " + String.join(", ", missing));
        }
        TensorDataset train = split(find(dir, NAMES[0]), find(dir, NAMES[1]), classes);
        TensorDataset test;
        try {
            test = split(find(dir, NAMES[2]), find(dir, NAMES[3]), classes);
        } catch (IOException | RuntimeException e) {
            train.close();
            throw e;
        }
        String description = (isSample ? "the embedded " + dataset + " sample" : dataset) + " from " + dir + ": " + train.size()
                + " training and " + test.size() + " test images" + note;
        return new MnistData(train, test, dir, isSample, description);
    }

    /** Images uint8 [N, H, W] → float32 [N, 1, H, W] / 255 and labels uint8 [N] → INT64, checked against each other. */
    private static TensorDataset split(Path imagesFile, Path labelsFile, int classes) throws IOException {
        try (Scope ignored = Scope.open()) {
            Tensor images = Idx.read(imagesFile);
            Tensor labels = Idx.read(labelsFile);
            if (images.dtype() != DType.UINT8 || images.rank() != 3) {
                throw new MalformedFileException(imagesFile.toString(), "expected uint8 images of shape [N, H, W], got " + images.describe());
            }
            if (labels.dtype() != DType.UINT8 || labels.rank() != 1 || labels.size(0) != images.size(0)) {
                throw new MalformedFileException(labelsFile.toString(), "expected " + images.size(0) + " uint8 labels to match "
                        + imagesFile.getFileName() + ", got " + labels.describe());
            }
            if (labels.numel() > 0 && labels.max().item() >= classes) {
                throw new MalformedFileException(labelsFile.toString(), "label " + (long) labels.max().item() + " is not below the "
                        + classes + " classes");
            }
            Tensor scaled = images.to(DType.FLOAT32).div(255.0);
            return new TensorDataset(scaled.view(images.size(0), 1, images.size(1), images.size(2)), labels.to(DType.INT64));
        }
    }
}
