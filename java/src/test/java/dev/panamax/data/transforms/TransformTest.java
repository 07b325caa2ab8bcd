package dev.panamax.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.Leaks;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TransformTest {
    private static Transform everything() {
        return Transform.compose(
                new RandomCrop(6, 6).padding(2).paddingMode(PaddingMode.REFLECT),
                new RandomHorizontalFlip(),
                new RandomAffine(15).translate(0.1, 0.1).scale(0.9, 1.1).shear(-5, 5).interpolation(Interpolation.BILINEAR),
                new RandomErasing(),
                new Normalize(new double[] {0.2, 0.1}, new double[] {0.5, 0.4}));
    }

    @Test
    void composeAppliesInOrderSharingTheGenerator() {
        Transform a = new RandomCrop(3, 3).padding(1);
        Transform b = new RandomHorizontalFlip();
        try (Tensor x = Tensor.randn(new Generator(1), 4, 1, 4, 5)) {
            Generator g1 = new Generator(7);
            Generator g2 = new Generator(7);
            try (Tensor composed = Transform.compose(a, b).apply(x, g1); Tensor step = a.apply(x, g2); Tensor manual = b.apply(step, g2)) {
                assertArrayEquals(manual.toFloatArray(), composed.toFloatArray());
            }
            try (Tensor same = Transform.compose().apply(x, g1)) {
                assertNotSame(x, same);
                assertArrayEquals(x.toFloatArray(), same.toFloatArray());
            }
            assertFalse(x.isClosed());
        }
    }

    @Test
    void sameSeedSameOutputOnAnyThreadCount() {
        try (Tensor x = Tensor.randn(new Generator(2), 16, 2, 8, 8)) {
            float[] reference = null;
            for (int n : new int[] {1, 2}) {
                float[] out = CpuThreads.call(n, () -> {
                    try (Tensor t = everything().apply(x, new Generator(99))) {
                        return t.toFloatArray();
                    }
                });
                if (reference == null) {
                    reference = out;
                } else {
                    assertArrayEquals(reference, out);
                }
            }
            try (Tensor other = everything().apply(x, new Generator(100))) {
                assertFalse(java.util.Arrays.equals(reference, other.toFloatArray()));
            }
        }
    }

    @Test
    void transformsLeakNothing() {
        try (Tensor x = Tensor.randn(new Generator(3), 8, 2, 8, 8)) {
            MemoryStats before = Leaks.baseline();
            for (int i = 0; i < 5; i++) {
                everything().apply(x, new Generator(i)).close();
            }
            Leaks.assertNoneSince(before, "every transform");
        }
    }
}
