package dev.panamax.data.transforms;

import static dev.panamax.data.transforms.RandomCropTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomErasingTest {
    /** The erased rectangle of one image: top, left, height, width (null when unchanged). */
    record Box(int top, int left, int h, int w) {}

    /**
     * Finds each image's changed pixels, checks they form one rectangle through all channels
     * (for a fixed value: filled with it), and returns the rectangles.
     */
    static List<Box> boxes(Tensor x, Tensor out, double[] value) {
        double[] in = x.toDoubleArray();
        double[] got = out.toDoubleArray();
        int b = (int) x.size(0);
        int c = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        List<Box> boxes = new ArrayList<>();
        for (int n = 0; n < b; n++) {
            int top = h;
            int left = w;
            int bottom = -1;
            int right = -1;
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int xo = 0; xo < w; xo++) {
                        int i = ((n * c + k) * h + y) * w + xo;
                        if (in[i] != got[i]) {
                            top = Math.min(top, y);
                            left = Math.min(left, xo);
                            bottom = Math.max(bottom, y);
                            right = Math.max(right, xo);
                        }
                    }
                }
            }
            if (bottom < 0) {
                boxes.add(null);
                continue;
            }
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int xo = 0; xo < w; xo++) {
                        int i = ((n * c + k) * h + y) * w + xo;
                        boolean inside = y >= top && y <= bottom && xo >= left && xo <= right;
                        if (!inside) {
                            assertEquals(in[i], got[i], "image " + n + ": pixel outside the erased box changed");
                        } else if (value != null) {
                            assertEquals(value.length == 1 ? value[0] : value[k], got[i], 1e-6, "image " + n + " channel " + k);
                        }
                    }
                }
            }
            boxes.add(new Box(top, left, bottom - top + 1, right - left + 1));
        }
        return boxes;
    }

    @Test
    void erasesOneRectangleOfTheGivenScaleAndRatio() {
        Generator gen = new Generator(1);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Tensor r = Tensor.randn(gen, 300, 2, 16, 20); Tensor x = r.to(dtype);
                 Tensor out = new RandomErasing(1, 0.05, 0.2, 0.5, 2, new double[] {0.25, -3}).apply(x, gen)) {
                assertEquals(dtype, out.dtype());
                for (Box box : boxes(x, out, new double[] {0.25, -3})) {
                    assertTrue(box != null, "p = 1 must erase every image (a box this small always fits)");
                    double area = box.h * box.w / (16.0 * 20);
                    // sizes are rounded to whole pixels, so the bounds widen by up to half a pixel on each side
                    double hi = (Math.sqrt(0.2 * 320 * 2) + 0.5) * (Math.sqrt(0.2 * 320 / 0.5) + 0.5) / 320;
                    assertTrue(area >= 0.5 * 0.05 && area <= hi, "area fraction " + area + " of " + box);
                    double ratio = box.h / (double) box.w;
                    assertTrue(ratio > 0.5 / 2 && ratio < 2 * 2, "aspect " + ratio + " of " + box);
                }
            }
        }
    }

    @Test
    void erasesWithProbabilityP() {
        Generator gen = new Generator(2);
        try (Tensor x = Tensor.randn(gen, 2000, 1, 8, 8); Tensor out = new RandomErasing(0.25, 0.1, 0.3, 0.5, 2, new double[] {9}).apply(x, gen)) {
            long erased = boxes(x, out, new double[] {9}).stream().filter(b -> b != null).count();
            // binomial(2000, 0.25): mean 500, sd 19.4; 4 sd
            assertTrue(Math.abs(erased - 500) < 78, "erased " + erased);
        }
    }

    @Test
    void randomValuesAreStandardNormal() {
        Generator gen = new Generator(3);
        try (Tensor x = Tensor.zeros(400, 3, 10, 10); Tensor out = new RandomErasing(1, 0.2, 0.4, 1, 1, null).apply(x, gen)) {
            double[] v = out.toDoubleArray();
            double sum = 0;
            double sq = 0;
            int n = 0;
            for (double d : v) {
                if (d != 0) {
                    sum += d;
                    sq += d * d;
                    n++;
                }
            }
            double mean = sum / n;
            double var = sq / n - mean * mean;
            assertTrue(n >= 400 * 3 * 16, "erased " + n + " values (every box has at least 16 pixels)");
            assertTrue(Math.abs(mean) < 0.03 && Math.abs(var - 1) < 0.05, "mean " + mean + " var " + var);
        }
    }

    @Test
    void imagesTooSmallForAnyBoxStayUnchanged() {
        Generator gen = new Generator(4);
        try (Tensor x = Tensor.randn(gen, 2, 3, 1, 1); Tensor out = new RandomErasing(1, 0.5, 1, 1, 1, new double[] {0}).apply(x, gen)) {
            assertArrayEquals(x.toFloatArray(), out.toFloatArray());
        }
        try (Tensor x = Tensor.randn(gen, 3, 6, 6); Tensor out = new RandomErasing().apply(x, gen)) {
            assertArrayEquals(new long[] {3, 6, 6}, out.shape().toArray());
        }
    }

    @Test
    void badArguments() {
        try (Tensor x = Tensor.zeros(1, 3, 4, 4)) {
            assertMessage(() -> new RandomErasing(1, 0.1, 0.2, 1, 2, new double[] {1, 2}).apply(x, new Generator(1)),
                    "RandomErasing: value has 2 values but the images have 3 channels (give 1 or 3)");
        }
        assertMessage(() -> new RandomErasing(-0.1, 0.1, 0.2, 1, 2, null), "RandomErasing: p must be in [0, 1], got -0.1");
        assertMessage(() -> new RandomErasing(0.5, 0.3, 0.2, 1, 2, null), "RandomErasing: scale must satisfy 0 <= min <= max <= 1, got (0.3, 0.2)");
        assertMessage(() -> new RandomErasing(0.5, 0.1, 0.2, 0, 2, null), "RandomErasing: ratio must satisfy 0 < min <= max, got (0.0, 2.0)");
        assertMessage(() -> new RandomErasing(0.5, 0.1, 0.2, 1, 2, new double[0]), "RandomErasing: value needs 1 or C numbers");
    }
}
