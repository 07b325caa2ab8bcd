package dev.panamax.data.transforms;

import static dev.panamax.data.transforms.RandomCropTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NormalizeTest {
    private static void check(Tensor x, double[] mean, double[] std) {
        double[] in = x.toDoubleArray();
        int c = (int) x.size(-3);
        int plane = (int) (x.size(-2) * x.size(-1));
        try (Tensor out = new Normalize(mean, std).apply(x, null)) {
            assertEquals(x.dtype(), out.dtype());
            double[] got = out.toDoubleArray();
            double tol = x.dtype() == DType.FLOAT32 ? 1e-5 : 1e-13;
            for (int i = 0; i < in.length; i++) {
                int ch = (i / plane) % c;
                double m = mean.length == 1 ? mean[0] : mean[ch];
                double s = std.length == 1 ? std[0] : std[ch];
                double expected = (in[i] - m) / s;
                assertEquals(expected, got[i], tol * Math.max(1, Math.abs(expected)), "element " + i);
            }
        }
    }

    @Test
    void perChannelAndSharedValuesOnImagesAndBatches() {
        Generator gen = new Generator(1);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Tensor r = Tensor.randn(gen, 2, 3, 5, 7); Tensor x = r.to(dtype); Tensor img = x.select(0, 1)) {
                check(x, new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
                check(img, new double[] {0.1, -0.2, 0.3}, new double[] {1, 2, 3});
                check(x, new double[] {0.2860}, new double[] {0.3530});
            }
        }
        try (Tensor r = Tensor.randn(gen, 3, 1, 4); Tensor x = r.permute(1, 0, 2)) {
            check(x, new double[] {0.5}, new double[] {0.25});
        }
    }

    @Test
    void badArguments() {
        try (Tensor x = Tensor.zeros(2, 3, 4, 4)) {
            assertMessage(() -> new Normalize(new double[] {1, 2}, new double[] {1}).apply(x, null),
                    "Normalize: mean [1.0, 2.0] and std [1.0] need 1 or 3 values for float32[2, 3, 4, 4] (3 channels)");
        }
        assertMessage(() -> new Normalize(new double[] {0}, new double[] {1e-50}), "Normalize: std [1.0E-50] has a zero or non-finite value");
        assertMessage(() -> new Normalize(new double[0], new double[] {1}), "Normalize: mean and std need at least one value");
    }
}
