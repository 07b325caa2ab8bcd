package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anchors against values computed by hand (and torchvision's printed cell anchors for size 32). */
class AnchorGeneratorTest {
    @Test
    void baseAnchorsAreRoundedAsTorchvision() {
        // torchvision: AnchorGenerator(((32,),), ((0.5, 1.0, 2.0),)).cell_anchors[0]
        assertArrayEquals(new float[] {-23, -11, 23, 11, -16, -16, 16, 16, -11, -23, 11, 23},
                AnchorGenerator.baseAnchors(new double[] {32}, new double[] {0.5, 1.0, 2.0}));
        // size 16, ratio 0.5: half sizes 11.31 and 5.66
        assertArrayEquals(new float[] {-11, -6, 11, 6}, AnchorGenerator.baseAnchors(new double[] {16}, new double[] {0.5}));
        // halves of 0.5 and 1.5 round to even, as torch.round
        assertArrayEquals(new float[] {0, 0, 0, 0, -2, -2, 2, 2}, AnchorGenerator.baseAnchors(new double[] {1, 3}, new double[] {1.0}), 0f);
    }

    @Test
    void ratiosAreOuterAndSizesInner() {
        float[] a = AnchorGenerator.baseAnchors(new double[] {8, 16}, new double[] {1.0, 4.0});
        // ratio 1: sizes 8, 16; ratio 4 (h = 2w): w = size / 2, h = size · 2
        assertArrayEquals(new float[] {-4, -4, 4, 4, -8, -8, 8, 8, -2, -8, 2, 8, -4, -16, 4, 16}, a);
    }

    @Test
    void gridAnchorsFollowLevelRowColumnAnchorOrder() {
        AnchorGenerator gen = new AnchorGenerator(new double[][] {{8}, {16}}, new double[][] {{0.5, 1.0, 2.0}});
        assertArrayEquals(new int[] {3, 3}, gen.numAnchorsPerLocation());
        try (Tensor anchors = gen.anchors(32, 64, List.of(new long[] {4, 8}, new long[] {2, 4}))) {
            assertArrayEquals(new long[] {4 * 8 * 3 + 2 * 4 * 3, 4}, anchors.shape().toArray());
            float[] a = anchors.toFloatArray();
            // level 0, stride 8: row 1, column 2, ratio 1 (anchor 1) is the base [-4, -4, 4, 4] shifted by (16, 8)
            int row = (1 * 8 + 2) * 3 + 1;
            assertArrayEquals(new float[] {12, 4, 20, 12}, java.util.Arrays.copyOfRange(a, 4 * row, 4 * row + 4));
            // level 1, stride 16: row 1, column 3, ratio 2 (anchor 2): base of size 16 is [-6, -11, 6, 11], shifted by (48, 16)
            int level1 = (1 * 4 + 3) * 3 + 2 + 96;
            assertArrayEquals(new float[] {42, 5, 54, 27}, java.util.Arrays.copyOfRange(a, 4 * level1, 4 * level1 + 4));
        }
    }

    @Test
    void torchvisionDefaultHasFifteenAnchorShapes() {
        AnchorGenerator gen = AnchorGenerator.fasterRcnnDefault();
        assertEquals(5, gen.numLevels());
        assertArrayEquals(new int[] {3, 3, 3, 3, 3}, gen.numAnchorsPerLocation());
    }

    @Test
    void levelCountMustMatchTheFeatureMaps() {
        AnchorGenerator gen = new AnchorGenerator(new double[][] {{8}, {16}}, new double[][] {{1.0}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gen.anchors(32, 32, List.of(new long[] {4, 4})));
        assertEquals("AnchorGenerator: configured for 2 feature levels, got 1 feature maps", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AnchorGenerator(new double[][] {{8}, {16}, {32}}, new double[][] {{1.0}, {2.0}}));
    }
}
