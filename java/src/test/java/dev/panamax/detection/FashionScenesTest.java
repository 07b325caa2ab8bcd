package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.data.TensorDataset;
import dev.panamax.data.datasets.FashionMnist;
import dev.panamax.data.datasets.MnistData;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FashionScenesTest {
    private static MnistData sample;

    @BeforeAll
    static void load() throws IOException {
        sample = FashionMnist.load(FashionMnist.findSample()); // the embedded sample: fast, and the same everywhere
    }

    @AfterAll
    static void close() {
        sample.close();
    }

    private record Scene(float[] image, float[] boxes, long[] labels) {}

    private static Scene read(FashionScenes scenes, long i) {
        try (DetectionSample s = scenes.get(i)) {
            return new Scene(s.image().toFloatArray(), s.target().boxes().toFloatArray(), s.target().labels().toLongArray());
        }
    }

    @Test
    void aSeedFixesEveryScene() {
        FashionScenes a = new FashionScenes(sample.train(), 20, 7);
        FashionScenes b = new FashionScenes(sample.train(), 20, 7);
        for (long i : new long[] {19, 3, 0, 11}) { // any order
            Scene x = read(a, i);
            Scene y = read(b, i);
            assertArrayEquals(x.image, y.image);
            assertArrayEquals(x.boxes, y.boxes);
            assertArrayEquals(x.labels, y.labels);
        }
        assertFalse(Arrays.equals(read(a, 0).boxes, read(new FashionScenes(sample.train(), 20, 8), 0).boxes));
        assertFalse(Arrays.equals(read(a, 0).boxes, read(a, 1).boxes));
    }

    @Test
    void scenesHoldOneToFiveTightBoxesOfTenClassesInsideTheCanvas() {
        FashionScenes scenes = new FashionScenes(sample.test(), 150, 1);
        int s = scenes.options().canvas();
        int[] counts = new int[6];
        boolean[] seen = new boolean[11];
        for (long i = 0; i < scenes.size(); i++) {
            try (DetectionSample d = scenes.get(i)) {
                assertArrayEquals(new long[] {3, s, s}, d.image().shape().toArray());
                assertEquals(i, d.imageId());
                float[] img = d.image().toFloatArray();
                for (int p = 0; p < s * s; p++) {
                    assertTrue(img[p] >= 0 && img[p] <= 1);
                    assertTrue(img[p] == img[s * s + p] && img[p] == img[2 * s * s + p], "channels are equal");
                }
                List<GroundTruthBox> objects = d.objects();
                counts[objects.size()]++;
                for (int k = 0; k < objects.size(); k++) {
                    GroundTruthBox g = objects.get(k);
                    assertTrue(g.x1() >= 0 && g.y1() >= 0 && g.x2() <= s && g.y2() <= s, "inside the canvas: " + g);
                    assertTrue(g.label() >= 1 && g.label() <= 10, "label " + g.label());
                    seen[g.label()] = true;
                    assertTight(img, s, g);
                    for (int j = 0; j < k; j++) {
                        assertTrue(Overlap.iou(g, objects.get(j)) < 0.5, "overlap below 0.5");
                    }
                }
                if (objects.size() == 1) {
                    assertEquals(objects.get(0), inkBox(img, s, objects.get(0).label()), "a lone item's box is the image's ink");
                }
            }
        }
        assertEquals(0, counts[0]);
        for (int n = 1; n <= 5; n++) {
            assertTrue(counts[n] > 0, "scenes with " + n + " items: " + Arrays.toString(counts));
        }
        for (int c = 1; c <= 10; c++) {
            assertTrue(seen[c], "class " + c + " appears");
        }
    }

    /** Each side of the box touches a non-zero pixel inside it. */
    private static void assertTight(float[] img, int s, GroundTruthBox g) {
        int x1 = (int) g.x1();
        int y1 = (int) g.y1();
        int x2 = (int) g.x2() - 1;
        int y2 = (int) g.y2() - 1;
        boolean left = false;
        boolean right = false;
        boolean top = false;
        boolean bottom = false;
        for (int y = y1; y <= y2; y++) {
            left |= img[y * s + x1] > 0;
            right |= img[y * s + x2] > 0;
        }
        for (int x = x1; x <= x2; x++) {
            top |= img[y1 * s + x] > 0;
            bottom |= img[y2 * s + x] > 0;
        }
        assertTrue(left && right && top && bottom, "tight box " + g);
    }

    /** The box around every non-zero pixel of the first channel. */
    private static GroundTruthBox inkBox(float[] img, int s, int label) {
        int[] ink = new Glyph(Arrays.copyOf(img, s * s), s, s).inkBounds();
        return GroundTruthBox.of(ink[0], ink[1], ink[2] + 1, ink[3] + 1, label);
    }

    @Test
    void batchesKeepImagesAsAList() {
        FashionScenes scenes = new FashionScenes(sample.train(), 4, 3, new FashionScenes.Options(64, 2, 2, 1, 1, 1));
        try (DetectionBatch b = scenes.batch(new long[] {2, 0, 1})) {
            assertEquals(3, b.size());
            assertEquals(2, b.images().get(0).shape().toArray().length - 1);
            assertEquals(3, b.targets().size());
            b.targets().forEach(t -> assertEquals(2, t.size()));
            assertEquals(2, b.samples().get(0).imageId());
        }
    }

    @Test
    void bilinearResizeMatchesTorch() {
        // torch.nn.functional.interpolate(tensor([[[[0., 1.], [2., 3.]]]]), size=(4, 4), mode="bilinear", align_corners=False)
        Glyph g = new Glyph(new float[] {0, 1, 2, 3}, 2, 2).resize(4, 4);
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3}, g.pixels(), 1e-6f);
        // shrinking: interpolate(arange(784.).reshape(1, 1, 28, 28) % 7, size=(21, 21), ...)[0, 0, 5, :6]
        float[] ramp = new float[28 * 28];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = i % 7;
        }
        float[] shrunk = new Glyph(ramp, 28, 28).resize(21, 21).pixels();
        assertArrayEquals(new float[] {1 / 6f, 1.5f, 17 / 6f, 25 / 6f, 5.5f, 1}, Arrays.copyOfRange(shrunk, 5 * 21, 5 * 21 + 6), 1e-5f);
        Glyph crop = new Glyph(new float[] {0, 0, 0, 0, 5, 0, 0, 0, 6}, 3, 3).cropToInk();
        assertNotNull(crop);
        assertArrayEquals(new float[] {5, 0, 0, 6}, crop.pixels());
        assertEquals(null, new Glyph(new float[4], 2, 2).cropToInk());
    }

    @Test
    void badArgumentsAreRefused() {
        TensorDataset train = sample.train();
        assertThrows(IllegalArgumentException.class, () -> new FashionScenes(train, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new FashionScenes.Options(160, 0, 5, 1, 2, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new FashionScenes.Options(160, 3, 2, 1, 2, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new FashionScenes.Options(160, 1, 5, 0, 2, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new FashionScenes.Options(160, 1, 5, 2, 1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new FashionScenes.Options(160, 1, 5, 1, 2, 0));
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> new FashionScenes(train, 1, 0, new FashionScenes.Options(60, 1, 5, 1, 2.5, 0.5)));
        assertTrue(tooSmall.getMessage().contains("does not fit a 60-pixel canvas"), tooSmall.getMessage());
        FashionScenes scenes = new FashionScenes(train, 2, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> scenes.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> scenes.get(-1));
        try (Tensor flat = Tensor.zeros(4, 784); Tensor labels = Tensor.zeros(dev.panamax.tensor.DType.INT64, 4);
                TensorDataset wrong = new TensorDataset(flat, labels)) {
            assertThrows(IllegalArgumentException.class, () -> new FashionScenes(wrong, 1, 0));
        }
    }
}
