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

class RandomAffineTest {
    /** Parameters pinned by one-point ranges, so the reference knows them. */
    record Params(double angle, double tx, double ty, double scale, double shearX, double shearY, double[] center, boolean bilinear,
                  double[] fill) {}

    private static void check(Tensor x, Transform t, Params p) {
        double[] in = x.toDoubleArray();
        int b = x.rank() == 4 ? (int) x.size(0) : 1;
        int c = (int) x.size(-3);
        int h = (int) x.size(-2);
        int w = (int) x.size(-1);
        double cx = p.center == null ? 0 : p.center[0] - w / 2.0;
        double cy = p.center == null ? 0 : p.center[1] - h / 2.0;
        double[] fill = p.fill.length == 1 ? filled(c, p.fill[0]) : p.fill;
        try (Tensor out = t.apply(x, new Generator(1))) {
            assertEquals(x.dtype(), out.dtype());
            assertArrayEquals(x.shape().toArray(), out.shape().toArray());
            double[] got = out.toDoubleArray();
            double tol = x.dtype() == DType.FLOAT32 ? 1e-5 : 1e-12;
            for (int n = 0; n < b; n++) {
                double[] expected = RefImages.flat(RefImages.affine(RefImages.image(in, n, c, h, w), p.angle, p.tx, p.ty, p.scale,
                        p.shearX, p.shearY, cx, cy, p.bilinear, fill));
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], got[n * c * h * w + i], tol * Math.max(1, Math.abs(expected[i])), "image " + n + " element " + i);
                }
            }
        }
    }

    private static double[] filled(int c, double v) {
        double[] r = new double[c];
        Arrays.fill(r, v);
        return r;
    }

    @Test
    void rotationScaleAndShearMatchTheReference() {
        Generator gen = new Generator(1);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Tensor r = Tensor.randn(gen, 2, 3, 7, 9); Tensor x = r.to(dtype)) {
                for (boolean bilinear : new boolean[] {true, false}) {
                    Interpolation mode = bilinear ? Interpolation.BILINEAR : Interpolation.NEAREST;
                    check(x, new RandomAffine(30, 30).scale(1.2, 1.2).shear(10, 10, -5, -5).interpolation(mode).fill(0.5, -1, 2),
                            new Params(30, 0, 0, 1.2, 10, -5, null, bilinear, new double[] {0.5, -1, 2}));
                    check(x, new RandomAffine(-50, -50).scale(0.7, 0.7).center(1, 5.5).interpolation(mode),
                            new Params(-50, 0, 0, 0.7, 0, 0, new double[] {1, 5.5}, bilinear, new double[] {0}));
                    check(x, new RandomRotation(12.5, 12.5).interpolation(mode).fill(3),
                            new Params(-12.5, 0, 0, 1, 0, 0, null, bilinear, new double[] {3}));
                }
            }
        }
    }

    @Test
    void singleImagesAndStridedInputs() {
        Generator gen = new Generator(2);
        try (Tensor r = Tensor.randn(gen, 2, 8, 6); Tensor x = r.transpose(1, 2)) {
            check(x, new RandomAffine(45, 45).interpolation(Interpolation.BILINEAR), new Params(45, 0, 0, 1, 0, 0, null, true, new double[] {0}));
        }
        try (Tensor one = Tensor.full(2, 1, 1, 1)) {
            check(one, new RandomAffine(33, 33).interpolation(Interpolation.BILINEAR), new Params(33, 0, 0, 1, 0, 0, null, true, new double[] {0}));
        }
    }

    @Test
    void ninetyDegreesTurnsCounterClockwiseExactly() {
        float[] v = new float[25];
        for (int i = 0; i < 25; i++) {
            v[i] = i;
        }
        try (Tensor x = Tensor.of(v, 1, 5, 5)) {
            for (Interpolation mode : Interpolation.values()) {
                try (Tensor out = new RandomRotation(90, 90).interpolation(mode).apply(x, new Generator(1))) {
                    float[] got = out.toFloatArray();
                    for (int y = 0; y < 5; y++) {
                        for (int xo = 0; xo < 5; xo++) {
                            // numpy's rot90: out[y][x] = in[x][n - 1 - y]
                            assertEquals(v[xo * 5 + 4 - y], got[y * 5 + xo], 1e-4, mode + " at " + y + "," + xo);
                        }
                    }
                }
            }
        }
    }

    @Test
    void translationIsByWholePixelsWithinTheRange() {
        Generator gen = new Generator(3);
        try (Tensor x = Tensor.randn(gen, 200, 1, 6, 10); Tensor out = new RandomAffine(0, 0).translate(0.2, 0.5).apply(x, gen)) {
            double[] in = x.toDoubleArray();
            double[] got = out.toDoubleArray();
            int[][] seen = new int[7][5];
            for (int n = 0; n < 200; n++) {
                double[] image = Arrays.copyOfRange(got, n * 60, (n + 1) * 60);
                boolean found = false;
                for (int ty = -3; ty <= 3 && !found; ty++) {
                    for (int tx = -2; tx <= 2 && !found; tx++) {
                        double[] expected = RefImages.flat(RefImages.affine(RefImages.image(in, n, 1, 6, 10), 0, tx, ty, 1, 0, 0, 0, 0,
                                false, new double[] {0}));
                        if (Arrays.equals(image, expected)) {
                            found = true;
                            seen[ty + 3][tx + 2]++;
                        }
                    }
                }
                assertTrue(found, "image " + n + " is no whole-pixel shift within (±2, ±3)");
            }
            // rounding a uniform on [-2, 2) to whole pixels reaches both ends
            assertTrue(Arrays.stream(seen).mapToInt(row -> row[0] + row[4]).sum() > 0, Arrays.deepToString(seen));
        }
    }

    @Test
    void anglesAreDrawnFromTheRange() {
        // a 2x2 image rotated by a in [0, 90) degrees: the top-left output pixel (bilinear) is a known function of a
        Generator gen = new Generator(4);
        float[] corners = new float[3000 * 4];
        for (int n = 0; n < 3000; n++) {
            corners[n * 4] = 1;
        }
        try (Tensor x = Tensor.of(corners, 3000, 1, 2, 2);
             Tensor out = new RandomRotation(0, 90).interpolation(Interpolation.BILINEAR).apply(x, gen)) {
            float[] v = out.toFloatArray();
            double sum = 0;
            double min = 1;
            double max = 0;
            for (int n = 0; n < 3000; n++) {
                sum += v[n * 4];
                min = Math.min(min, v[n * 4]);
                max = Math.max(max, v[n * 4]);
            }
            // the corner's value falls from 1 (0 degrees) towards 0 (90): its mean over a uniform angle is the integral
            double mean = 0;
            for (int k = 0; k < 9000; k++) {
                double a = (k + 0.5) / 100;
                mean += RefImages.affine(new double[][][] {{{1, 0}, {0, 0}}}, -a, 0, 0, 1, 0, 0, 0, 0, true, new double[] {0})[0][0][0] / 9000;
            }
            assertEquals(mean, sum / 3000, 0.01);
            assertTrue(max > 0.95 && min < 0.05, "range " + min + ".." + max);
        }
    }

    @Test
    void badArguments() {
        try (Tensor x = Tensor.zeros(2, 3, 4, 4)) {
            assertMessage(() -> new RandomAffine(10).fill(1, 2).apply(x, new Generator(1)),
                    "RandomAffine: fill has 2 values but the images have 3 channels (give 1 or 3)");
            assertMessage(() -> new RandomRotation(10).fill(1, 2).apply(x, new Generator(1)),
                    "RandomRotation: fill has 2 values but the images have 3 channels");
        }
        try (Tensor x = Tensor.zeros(DType.UINT8, 3, 4, 4)) {
            assertMessage(() -> new RandomRotation(10).apply(x, new Generator(1)), "RandomRotation: expected a float32 or float64 tensor");
        }
        assertMessage(() -> new RandomAffine(-5), "RandomAffine: degrees must be non-negative when given as one number, got -5.0");
        assertMessage(() -> new RandomAffine(5, 1), "RandomAffine: degrees must satisfy min <= max, got (5.0, 1.0)");
        assertMessage(() -> new RandomRotation(5, 1), "RandomRotation: degrees must satisfy min <= max, got (5.0, 1.0)");
        assertMessage(() -> new RandomAffine(5).scale(0, 1), "RandomAffine: scale must satisfy 0 < min <= max, got (0.0, 1.0)");
        assertMessage(() -> new RandomAffine(5).translate(1.5, 0), "RandomAffine: translate fractions must be in [0, 1], got (1.5, 0.0)");
        assertMessage(() -> new RandomAffine(5).shear(-95, 0), "RandomAffine: shear ranges must satisfy min <= max within (-90, 90) degrees");
    }
}
