package dev.panamax.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RandomCropTest {
    /**
     * Checks every output image against the reference crop of the reference padded image at
     * some position in range, and returns the position each image took (row * cols + col).
     */
    static int[] checkCrops(Tensor x, Tensor out, int[] pad, int[] extra, PaddingMode mode, double fill, int th, int tw) {
        double[] in = x.toDoubleArray();
        double[] got = out.toDoubleArray();
        int b = x.rank() == 4 ? (int) x.size(0) : 1;
        int c = (int) x.size(-3);
        int h = (int) x.size(-2);
        int w = (int) x.size(-1);
        int[] taken = new int[b];
        for (int n = 0; n < b; n++) {
            double[][][] padded = RefImages.pad(RefImages.image(in, n, c, h, w), pad[0], pad[1], pad[2], pad[3], mode, fill);
            padded = RefImages.pad(padded, extra[0], extra[1], extra[0], extra[1], mode, fill);
            double[] image = Arrays.copyOfRange(got, n * c * th * tw, (n + 1) * c * th * tw);
            int rows = padded[0].length - th + 1;
            int cols = padded[0][0].length - tw + 1;
            taken[n] = -1;
            for (int i = 0; i < rows && taken[n] < 0; i++) {
                for (int j = 0; j < cols && taken[n] < 0; j++) {
                    if (Arrays.equals(image, RefImages.flat(RefImages.crop(padded, i, j, th, tw)))) {
                        taken[n] = i * cols + j;
                    }
                }
            }
            assertTrue(taken[n] >= 0, "image " + n + " is no crop of the padded image");
        }
        return taken;
    }

    @Test
    void everyPaddingModeGivesACropOfThePaddedImage() {
        Generator gen = new Generator(1);
        try (Tensor x = Tensor.randn(gen, 3, 2, 5, 7)) {
            for (PaddingMode mode : PaddingMode.values()) {
                for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    RandomCrop crop = new RandomCrop(6, 8).padding(1, 2, 0, 3).paddingMode(mode).fill(-7);
                    try (Tensor xt = x.to(dtype); Tensor out = crop.apply(xt, gen)) {
                        assertEquals(dtype, out.dtype());
                        assertArrayEquals(new long[] {3, 2, 6, 8}, out.shape().toArray());
                        checkCrops(xt, out, new int[] {1, 2, 0, 3}, new int[] {0, 0}, mode, -7, 6, 8);
                    }
                }
            }
        }
    }

    @Test
    void padsWiderThanTheImageKeepMirroring() {
        Generator gen = new Generator(2);
        try (Tensor x = Tensor.randn(gen, 1, 2, 3)) {
            for (PaddingMode mode : PaddingMode.values()) {
                try (Tensor out = new RandomCrop(6, 9).padding(4).paddingMode(mode).apply(x, gen)) {
                    checkCrops(x, out, new int[] {4, 4, 4, 4}, new int[] {0, 0}, mode, 0, 6, 9);
                }
            }
        }
    }

    @Test
    void padIfNeededPadsBothSidesByTheShortfallAfterThePadding() {
        Generator gen = new Generator(3);
        try (Tensor x = Tensor.randn(gen, 2, 1, 2, 3)) {
            for (PaddingMode mode : new PaddingMode[] {PaddingMode.CONSTANT, PaddingMode.REFLECT}) {
                // torchvision: width 3 + 2 < 6 pads 1 more on both sides; height 2 < 5 pads 3 on both
                try (Tensor out = new RandomCrop(5, 6).padding(1, 0).padIfNeeded(true).paddingMode(mode).fill(2).apply(x, gen)) {
                    checkCrops(x, out, new int[] {1, 0, 1, 0}, new int[] {1, 3}, mode, 2, 5, 6);
                }
            }
        }
    }

    @Test
    void singleImagesSizeOneAndNonContiguousInputs() {
        Generator gen = new Generator(4);
        try (Tensor base = Tensor.randn(gen, 3, 6, 4); Tensor x = base.permute(0, 2, 1); Tensor out = new RandomCrop(3, 5).apply(x, gen)) {
            assertArrayEquals(new long[] {3, 3, 5}, out.shape().toArray());
            checkCrops(x, out, new int[4], new int[2], PaddingMode.CONSTANT, 0, 3, 5);
        }
        try (Tensor one = Tensor.full(5, 1, 1, 1, 1); Tensor out = new RandomCrop(1, 1).apply(one, gen)) {
            assertArrayEquals(new float[] {5}, out.toFloatArray());
        }
    }

    @Test
    void positionsAreUniform() {
        // 5x5 padded, 3x3 crop: 9 positions, 3600 images
        Generator gen = new Generator(5);
        int[] counts = new int[9];
        try (Tensor x = Tensor.randn(gen, 3600, 1, 3, 3); Tensor out = new RandomCrop(3, 3).padding(1).fill(100).apply(x, gen)) {
            for (int t : checkCrops(x, out, new int[] {1, 1, 1, 1}, new int[2], PaddingMode.CONSTANT, 100, 3, 3)) {
                counts[t]++;
            }
        }
        double chi = 0;
        for (int c : counts) {
            chi += (c - 400.0) * (c - 400.0) / 400.0;
        }
        // 8 degrees of freedom: P(chi2 > 26.1) = 0.001
        assertTrue(chi < 26.1, Arrays.toString(counts));
    }

    @Test
    void badArgumentsNameTheTransformAndValues() {
        try (Tensor small = Tensor.zeros(1, 2, 3); Tensor ints = Tensor.zeros(DType.INT64, 1, 4, 4); Tensor flat = Tensor.zeros(4, 4)) {
            assertMessage(() -> new RandomCrop(4, 4).apply(small, new Generator(1)),
                    "RandomCrop: crop size (4, 4) is larger than the padded image (2, 3) of float32[1, 2, 3]");
            assertMessage(() -> new RandomCrop(2, 2).apply(ints, new Generator(1)),
                    "RandomCrop: expected a float32 or float64 tensor of shape [C, H, W] or [B, C, H, W], got int64[1, 4, 4]");
            assertMessage(() -> new RandomCrop(2, 2).apply(flat, new Generator(1)), "got float32[4, 4]");
        }
        assertMessage(() -> new RandomCrop(0, 2), "RandomCrop: size must be positive, got 0 x 2");
        assertMessage(() -> new RandomCrop(2, 2).padding(1, 2, 3), "RandomCrop: padding takes 1, 2 or 4 values, got [1, 2, 3]");
        assertMessage(() -> new RandomCrop(2, 2).padding(-1), "RandomCrop: padding must be non-negative, got [-1]");
    }

    static void assertMessage(Runnable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
