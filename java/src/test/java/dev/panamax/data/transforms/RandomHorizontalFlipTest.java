package dev.panamax.data.transforms;

import static dev.panamax.data.transforms.RandomCropTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RandomHorizontalFlipTest {
    /** How many images of the batch came out mirrored; every other one must be unchanged. */
    static int countFlipped(Tensor x, Tensor out) {
        double[] in = x.toDoubleArray();
        double[] got = out.toDoubleArray();
        int b = (int) x.size(0);
        int c = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int flipped = 0;
        for (int n = 0; n < b; n++) {
            double[][][] img = RefImages.image(in, n, c, h, w);
            double[] image = Arrays.copyOfRange(got, n * c * h * w, (n + 1) * c * h * w);
            if (Arrays.equals(image, RefImages.flat(RefImages.hflip(img)))) {
                flipped++;
            } else {
                assertArrayEquals(RefImages.flat(img), image, "image " + n + " is neither itself nor its mirror");
            }
        }
        return flipped;
    }

    @Test
    void probabilityOneMirrorsEveryImageAndZeroNone() {
        Generator gen = new Generator(1);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Tensor x = Tensor.randn(gen, 4, 2, 3, 5); Tensor xt = x.to(dtype)) {
                try (Tensor out = new RandomHorizontalFlip(1).apply(xt, gen)) {
                    assertEquals(dtype, out.dtype());
                    assertEquals(4, countFlipped(xt, out));
                }
                try (Tensor out = new RandomHorizontalFlip(0).apply(xt, gen)) {
                    assertEquals(0, countFlipped(xt, out));
                }
            }
        }
    }

    @Test
    void flipsWithTheGivenProbability() {
        Generator gen = new Generator(2);
        try (Tensor x = Tensor.randn(gen, 4000, 1, 2, 3); Tensor out = new RandomHorizontalFlip(0.3).apply(x, gen)) {
            int flipped = countFlipped(x, out);
            // binomial(4000, 0.3): mean 1200, sd 29; allow 4 sd
            assertTrue(Math.abs(flipped - 1200) < 116, "flipped " + flipped);
        }
    }

    @Test
    void singleImagesAndStridedInputs() {
        Generator gen = new Generator(3);
        try (Tensor base = Tensor.randn(gen, 1, 2, 6, 3); Tensor x = base.slice(3, 0, 3, 2); Tensor img = x.select(0, 0);
             Tensor out = new RandomHorizontalFlip(1).apply(img, gen); Tensor batched = out.unsqueeze(0)) {
            assertArrayEquals(new long[] {2, 6, 2}, out.shape().toArray());
            assertEquals(1, countFlipped(x, batched));
        }
    }

    @Test
    void badProbability() {
        assertMessage(() -> new RandomHorizontalFlip(1.5), "RandomHorizontalFlip: p must be in [0, 1], got 1.5");
        assertMessage(() -> new RandomHorizontalFlip(Double.NaN), "got NaN");
    }
}
