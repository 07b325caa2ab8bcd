package dev.panamax.detection;

import dev.panamax.data.io.MalformedFileException;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Annotated images read from disk on each {@link #get}: what {@link CocoReader} and {@link VocReader}
 * return. An image whose file is missing, unreadable or not the size its annotation says throws
 * {@link UncheckedIOException} naming the file.
 */
public final class ImageFileDataset implements DetectionDataset {
    private final List<AnnotatedImage> images;
    private final List<String> classNames;

    /** {@code classNames.get(label)} names each label; entry 0 is the background. */
    public ImageFileDataset(List<AnnotatedImage> images, List<String> classNames) {
        this.images = List.copyOf(images);
        this.classNames = List.copyOf(classNames);
    }

    public List<AnnotatedImage> images() {
        return images;
    }

    /** Class names by label, "__background__" first. */
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public long size() {
        return images.size();
    }

    @Override
    public DetectionSample get(long index) {
        if (index < 0 || index >= images.size()) {
            throw new IndexOutOfBoundsException("ImageFileDataset.get: index " + index + " is out of range for " + images.size() + " images");
        }
        AnnotatedImage a = images.get((int) index);
        Tensor image;
        try {
            image = ImageFiles.read(a.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (image.size(1) != a.height() || image.size(2) != a.width()) {
            image.close();
            throw new UncheckedIOException(new MalformedFileException(a.file().toString(), "image is " + image.size(2) + "×"
                    + image.size(1) + " but its annotation says " + a.width() + "×" + a.height()));
        }
        return new DetectionSample(a.id(), image, a.target(), a.objects());
    }
}
