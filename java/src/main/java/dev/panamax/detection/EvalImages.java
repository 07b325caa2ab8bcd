package dev.panamax.detection;

import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ground truth and detections an evaluator was given, one entry per image in image-id order
 * (pycocotools sorts image ids, and its tie-breaks between equal scores follow that order).
 */
final class EvalImages {
    record Entry(List<GroundTruthBox> truth, List<ScoredBox> detections) {}

    private final String owner;
    private final TreeMap<Long, Entry> images = new TreeMap<>();

    EvalImages(String owner) {
        this.owner = owner;
    }

    synchronized void add(long imageId, List<GroundTruthBox> truth, Detections detections) {
        if (truth == null || detections == null) {
            throw new IllegalArgumentException(owner + ".add: image " + imageId + " needs ground truth and detections (empty, not null)");
        }
        if (images.containsKey(imageId)) {
            throw new IllegalArgumentException(owner + ".add: image " + imageId + " was already added");
        }
        images.put(imageId, new Entry(List.copyOf(truth), ScoredBox.of(detections)));
    }

    synchronized List<Entry> inOrder() {
        return List.copyOf(images.values());
    }

    /** The classes that have at least one ground-truth object, ascending. */
    static TreeSet<Integer> truthLabels(Collection<Entry> entries) {
        TreeSet<Integer> labels = new TreeSet<>();
        entries.forEach(e -> e.truth().forEach(g -> labels.add(g.label())));
        return labels;
    }
}
