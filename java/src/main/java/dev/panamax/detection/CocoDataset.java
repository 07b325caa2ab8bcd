package dev.panamax.detection;

import java.util.List;

/**
 * A COCO-format data set ({@link CocoReader}): its images, and the mapping between COCO category
 * ids and the contiguous labels 1..C the detector sees.
 */
public final class CocoDataset implements DetectionDataset {
    private final ImageFileDataset images;
    private final List<Long> categoryIds;

    CocoDataset(ImageFileDataset images, List<Long> categoryIds) {
        this.images = images;
        this.categoryIds = List.copyOf(categoryIds);
    }

    /** The images with their objects, in the file's order. */
    public ImageFileDataset images() {
        return images;
    }

    /** Class names by label, "__background__" first. */
    public List<String> classNames() {
        return images.classNames();
    }

    /** The COCO category id of a label 1..C (e.g. to write results for pycocotools). */
    public long categoryId(int label) {
        if (label < 1 || label > categoryIds.size()) {
            throw new IllegalArgumentException("CocoDataset: label " + label + " is not in 1.." + categoryIds.size());
        }
        return categoryIds.get(label - 1);
    }

    /** The label 1..C of a COCO category id. */
    public int label(long categoryId) {
        int i = categoryIds.indexOf(categoryId);
        if (i < 0) {
            throw new IllegalArgumentException("CocoDataset: no category has id " + categoryId);
        }
        return i + 1;
    }

    @Override
    public long size() {
        return images.size();
    }

    @Override
    public DetectionSample get(long index) {
        return images.get(index);
    }
}
