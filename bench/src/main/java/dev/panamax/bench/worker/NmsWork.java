package dev.panamax.bench.worker;

import java.util.SplittableRandom;

/**
 * Greedy NMS (torchvision's nms: suppress IoU > threshold, every box may be kept) of n scored boxes shaped
 * like a detector's raw output: n/20 objects in a 1000×1000 image, 16 to 320 pixels wide, each found by
 * about 20 boxes jittered around it, so boxes overlap heavily within an object and often across objects.
 * The kept indices, in order, are compared.
 */
public record NmsWork(String id, int n, float iouThreshold) implements DetectionWorkload {
    @Override
    public String title() {
        return "nms " + n + " boxes, IoU > " + iouThreshold;
    }

    /** [n, 4] as (x1, y1, x2, y2). */
    public float[] boxes() {
        SplittableRandom random = new SplittableRandom(81);
        int objects = Math.max(1, n / 20);
        double[] objectBoxes = new double[4 * objects];
        for (int o = 0; o < objects; o++) {
            double w = Math.exp(random.nextDouble(Math.log(16), Math.log(320)));
            objectBoxes[4 * o] = random.nextDouble(0, 1000); // centre x, y; width, height
            objectBoxes[4 * o + 1] = random.nextDouble(0, 1000);
            objectBoxes[4 * o + 2] = w;
            objectBoxes[4 * o + 3] = w * Math.exp(random.nextDouble(-0.7, 0.7));
        }
        float[] boxes = new float[4 * n];
        for (int i = 0; i < n; i++) {
            int o = random.nextInt(objects);
            double w = objectBoxes[4 * o + 2] * Math.exp(random.nextDouble(-0.25, 0.25));
            double h = objectBoxes[4 * o + 3] * Math.exp(random.nextDouble(-0.25, 0.25));
            double cx = objectBoxes[4 * o] + w * random.nextDouble(-0.15, 0.15);
            double cy = objectBoxes[4 * o + 1] + h * random.nextDouble(-0.15, 0.15);
            boxes[4 * i] = (float) (cx - w / 2);
            boxes[4 * i + 1] = (float) (cy - h / 2);
            boxes[4 * i + 2] = (float) (cx + w / 2);
            boxes[4 * i + 3] = (float) (cy + h / 2);
        }
        return boxes;
    }

    public float[] scores() {
        return Inputs.uniform(82, n, 0, 1);
    }
}
