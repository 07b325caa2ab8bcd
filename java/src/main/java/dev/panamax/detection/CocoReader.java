package dev.panamax.detection;

import dev.panamax.data.io.Json;
import dev.panamax.data.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a COCO instances file ({@code instances_val2017.json}: images, annotations, categories)
 * and its image folder. Boxes go from COCO's (x, y, width, height) to (x1, y1, x2, y2); category
 * ids, which have gaps in COCO, become labels 1..C in ascending id order (the dataset keeps the
 * mapping); {@code iscrowd} (default 0) and {@code area} (default the box's) are kept for
 * evaluation. Segmentations are not read.
 */
public final class CocoReader {
    private CocoReader() {}

    public static CocoDataset read(Path instances, Path imageDir) throws IOException {
        Object root = Json.read(instances);
        JsonFields f = new JsonFields(instances.toString());
        Map<?, ?> top = f.object(root, "the file");

        TreeMap<Long, String> categories = new TreeMap<>();
        List<?> cats = f.list(top, "categories", "the file");
        for (int i = 0; i < cats.size(); i++) {
            String path = "categories[" + i + "]";
            Map<?, ?> c = f.object(cats.get(i), path);
            if (categories.put(f.integer(c, "id", path), f.string(c, "name", path)) != null) {
                throw f.error(path + ".id", "category id " + f.integer(c, "id", path) + " appears twice");
            }
        }
        Map<Long, Integer> labels = new HashMap<>();
        for (long id : categories.keySet()) {
            labels.put(id, labels.size() + 1);
        }

        record Header(Path file, int width, int height) {}
        Map<Long, Header> headers = new LinkedHashMap<>();
        List<?> imgs = f.list(top, "images", "the file");
        for (int i = 0; i < imgs.size(); i++) {
            String path = "images[" + i + "]";
            Map<?, ?> im = f.object(imgs.get(i), path);
            long id = f.integer(im, "id", path);
            Header h = new Header(imageDir.resolve(f.string(im, "file_name", path)), size(f, im, "width", path), size(f, im, "height", path));
            if (headers.put(id, h) != null) {
                throw f.error(path + ".id", "image id " + id + " appears twice");
            }
        }

        Map<Long, List<GroundTruthBox>> objects = new HashMap<>();
        List<?> anns = f.list(top, "annotations", "the file");
        for (int i = 0; i < anns.size(); i++) {
            String path = "annotations[" + i + "]";
            Map<?, ?> a = f.object(anns.get(i), path);
            long imageId = f.integer(a, "image_id", path);
            if (!headers.containsKey(imageId)) {
                throw f.error(path + ".image_id", "no image has id " + imageId);
            }
            long categoryId = f.integer(a, "category_id", path);
            Integer label = labels.get(categoryId);
            if (label == null) {
                throw f.error(path + ".category_id", "no category has id " + categoryId);
            }
            objects.computeIfAbsent(imageId, k -> new ArrayList<>()).add(object(f, a, label, path));
        }

        List<AnnotatedImage> images = new ArrayList<>(headers.size());
        headers.forEach((id, h) -> images.add(new AnnotatedImage(id, h.file, h.width, h.height, objects.getOrDefault(id, List.of()))));
        List<String> names = new ArrayList<>(List.of("__background__"));
        names.addAll(categories.values());
        return new CocoDataset(new ImageFileDataset(images, names), List.copyOf(categories.keySet()));
    }

    private static GroundTruthBox object(JsonFields f, Map<?, ?> a, int label, String path) throws MalformedFileException {
        List<?> bbox = f.list(a, "bbox", path);
        if (bbox.size() != 4) {
            throw f.error(path + ".bbox", "expected [x, y, width, height], got " + bbox.size() + " numbers");
        }
        double[] b = new double[4];
        for (int k = 0; k < 4; k++) {
            b[k] = f.number(bbox.get(k), path + ".bbox[" + k + "]");
        }
        if (b[2] < 0 || b[3] < 0) {
            throw f.error(path + ".bbox", "negative width or height in " + bbox);
        }
        double area = a.containsKey("area") ? f.number(a.get("area"), path + ".area") : b[2] * b[3];
        if (area < 0) {
            throw f.error(path + ".area", "negative area " + area);
        }
        long crowd = a.containsKey("iscrowd") ? f.integer(a, "iscrowd", path) : 0;
        if (crowd != 0 && crowd != 1) {
            throw f.error(path + ".iscrowd", "expected 0 or 1, got " + crowd);
        }
        return new GroundTruthBox(b[0], b[1], b[0] + b[2], b[1] + b[3], label, area, crowd == 1, false);
    }

    private static int size(JsonFields f, Map<?, ?> image, String key, String path) throws MalformedFileException {
        long v = f.integer(image, key, path);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw f.error(path + "." + key, "expected a positive size, got " + v);
        }
        return (int) v;
    }
}
