package dev.panamax.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.nn.ConvTranspose2d;
import dev.panamax.nn.Init;
import dev.panamax.nn.Module;
import dev.panamax.nn.ReceptiveField;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ReceptiveField.Info;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Receptive fields of whole networks against the values computed by hand (and published: Araujo et al., Distill 2019). */
class ReceptiveFieldOfModelsTest {
    private static final Generator GEN = new Generator(8);

    private static List<Info> of(Supplier<Module> make, long size) {
        try (Init.Skip ignored = Init.skipped(); Module m = make.get()) {
            return ReceptiveField.of(m, size);
        }
    }

    @Test
    void chainsOfConvolutionsAndPooling() {
        List<Info> alex = of(AlexNet::torchvision, 224);
        Info last = alex.getLast();
        assertEquals("features.12", last.layer().name());
        assertEquals(195, last.receptiveField(), "AlexNet's pool5");
        assertEquals(32, last.jump());
        assertEquals(6, last.outputSize());
        assertEquals(8, alex.size(), "five convolutions and three poolings, then the adaptive pool ends the spatial part");
        Info vgg = of(() -> VGG.vgg16(1000, 3, false, GEN), 224).getLast();
        assertEquals(212, vgg.receptiveField(), "VGG-16's pool5");
        assertEquals(7, vgg.outputSize());
        Info lenet = of(LeNet5::new, 28).getLast();
        assertEquals(16, lenet.receptiveField());
        assertEquals(5, lenet.outputSize());
    }

    @Test
    void residualBlocksFollowTheirMainBranch() {
        List<Info> r18 = of(() -> ResNet.resnet18(1000, 3, GEN), 224);
        assertEquals(435, r18.getLast().receptiveField(), "ResNet-18");
        assertEquals("layer4.1.conv2", r18.getLast().layer().name());
        assertEquals(7, r18.getLast().outputSize());
        assertEquals(2 + 16, r18.size(), "stem conv and pool, two 3x3 convolutions per block, no downsample convolution");
        Info r50 = of(() -> ResNet.resnet50(1000, 3, GEN), 224).getLast();
        assertEquals("layer4.2.conv3", r50.layer().name());
        assertEquals(427, r50.receptiveField(), "ResNet-50 as torchvision strides it (on the 3x3)");
    }

    @Test
    void inceptionBlocksFollowTheirWidestBranch() {
        List<Info> v3 = of(() -> new InceptionV3(1000, 3, true, GEN), 299);
        assertEquals(8, v3.getLast().outputSize());
        assertTrue(v3.stream().noneMatch(i -> i.layer().name().startsWith("AuxLogits")), "the auxiliary head is not on the path");
        assertTrue(v3.stream().anyMatch(i -> i.layer().name().equals("Mixed_5b.branch5x5_2.conv")),
                "InceptionA's 5x5 branch (it ties with the double 3x3; the first path wins)");
        assertTrue(v3.stream().anyMatch(i -> i.layer().name().equals("Mixed_6b.branch7x7dbl_5.conv")), "InceptionC's double 7x7 branch");
        List<Info> google = of(() -> new GoogLeNet(1000, 3, true, GEN), 224);
        assertEquals(7, google.getLast().outputSize());
        assertEquals(32, google.getLast().jump());
    }

    @Test
    void aTransposedConvolutionIsRefused() {
        try (Module m = new Sequential(new ConvTranspose2d(1, 1, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReceptiveField.of(m, 8));
            assertTrue(e.getMessage().startsWith("ReceptiveField: 0 is a transposed convolution"), e.getMessage());
        }
        try (Module m = new LogisticRegression(3, 2, GEN)) {
            assertTrue(ReceptiveField.of(m, 8).isEmpty(), "no spatial layers");
        }
    }
}
