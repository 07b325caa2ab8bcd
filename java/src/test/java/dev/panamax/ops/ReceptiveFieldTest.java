package dev.panamax.ops;

import static dev.panamax.ops.PoolMaxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.ops.ReceptiveField.Info;
import dev.panamax.ops.ReceptiveField.Layer;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceptiveFieldTest {
    private static void assertInfo(Info info, long size, long field, long jump, double start) {
        String at = info.layer().name();
        assertEquals(size, info.outputSize(), at + " output size");
        assertEquals(field, info.receptiveField(), at + " receptive field");
        assertEquals(jump, info.jump(), at + " jump");
        assertEquals(start, info.start(), 0, at + " start");
    }

    /** torchvision's AlexNet features on 224 pixels; the last field, 195, is the commonly quoted one. */
    @Test
    void alexNet() {
        List<Info> r = ReceptiveField.of(List.of(
                Layer.conv("conv1", 11, 4, 2), Layer.pool("pool1", 3, 2, 0, false),
                Layer.conv("conv2", 5, 1, 2), Layer.pool("pool2", 3, 2, 0, false),
                Layer.conv("conv3", 3, 1, 1), Layer.conv("conv4", 3, 1, 1), Layer.conv("conv5", 3, 1, 1),
                Layer.pool("pool5", 3, 2, 0, false)), 224);
        // size (224 + 4 - 11) / 4 + 1 = 55; field 11; jump 4; start 0 + (5 - 2)·1 = 3
        assertInfo(r.get(0), 55, 11, 4, 3);
        // (55 - 3) / 2 + 1 = 27; 11 + 2·4 = 19; 8; 3 + 1·4 = 7
        assertInfo(r.get(1), 27, 19, 8, 7);
        assertInfo(r.get(2), 27, 51, 8, 7);
        assertInfo(r.get(3), 13, 67, 16, 15);
        assertInfo(r.get(4), 13, 99, 16, 15);
        assertInfo(r.get(5), 13, 131, 16, 15);
        assertInfo(r.get(6), 13, 163, 16, 15);
        assertInfo(r.get(7), 6, 195, 32, 31);
    }

    /** Dilations 1, 2, 4 with "same" padding: effective kernels 3, 5, 9 grow the field to 3, 7, 15 without shrinking the map. */
    @Test
    void dilatedStack() {
        List<Info> r = ReceptiveField.of(List.of(
                Layer.conv("d1", 3, 1, 1, 1), Layer.conv("d2", 3, 1, 2, 2), Layer.conv("d4", 3, 1, 4, 4)), 32);
        assertInfo(r.get(0), 32, 3, 1, 0);
        assertInfo(r.get(1), 32, 7, 1, 0);
        assertInfo(r.get(2), 32, 15, 1, 0);
    }

    @Test
    void resNetStemCeilModeAndFieldsReachingIntoThePadding() {
        List<Info> stem = ReceptiveField.of(List.of(Layer.conv("conv1", 7, 2, 3), Layer.pool("maxpool", 3, 2, 1, false)), 224);
        assertInfo(stem.get(0), 112, 7, 2, 0);
        assertInfo(stem.get(1), 56, 11, 4, 0);
        // ceil mode keeps the partial window at the end: 5 -> 3 instead of 2; the dropped-window rule applies too
        assertInfo(ReceptiveField.of(List.of(Layer.pool("ceil", 2, 2, 0, true)), 5).get(0), 3, 2, 2, 0.5);
        assertInfo(ReceptiveField.of(List.of(Layer.pool("ceil p1", 2, 2, 1, true)), 5).get(0), 3, 2, 2, -0.5);
        // padding 2 on a 3-kernel: the first field is centred one pixel before the image
        assertInfo(ReceptiveField.of(List.of(Layer.conv("wide pad", 3, 1, 2)), 4).get(0), 6, 3, 1, -1);
    }

    /** The output sizes agree with the pooling ops themselves. */
    @Test
    void sizesMatchThePoolingOps() {
        try (Scope s = Scope.open()) {
            for (int in = 5; in <= 9; in++) {
                Tensor x = Tensor.zeros(1, 1, in, in);
                PoolOptions o = PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true);
                long expected = ReceptiveField.of(List.of(Layer.pool("p", 3, 2, 1, true)), in).get(0).outputSize();
                assertEquals(expected, Pooling.maxPool2d(x, o).size(2), "input " + in);
            }
        }
    }

    @Test
    void badLayersAreNamed() {
        assertMessage(() -> ReceptiveField.of(List.of(Layer.conv("conv1", 11, 4, 0)), 8),
                "ReceptiveField: layer conv1 (effective kernel 11, padding 0) does not fit its input of 8 pixels");
        assertMessage(() -> Layer.conv("bad", 0, 1, 0), "ReceptiveField.Layer bad: kernel, stride and dilation must be positive");
        assertMessage(() -> ReceptiveField.of(List.of(), 0), "ReceptiveField: input size must be positive, got 0");
    }
}
