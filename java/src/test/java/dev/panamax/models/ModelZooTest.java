package dev.panamax.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradMode;
import dev.panamax.nn.Init;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The zoo against its references: parameter counts of the ImageNet configurations (torchvision
 * 0.28, timm 1.0), state-dict keys, and output shapes of forwards on the smallest inputs each
 * model accepts. Big models are built with {@link Init#skipped()} (allocation only) and, for
 * forwards, filled with a constant: these tests are about structure, not values.
 */
class ModelZooTest {
    private static final Generator GEN = new Generator(2026);

    private record Reference(String name, Supplier<Module> imagenet, long parameters) {}

    private static final List<Reference> IMAGENET = List.of(
            new Reference("ResNet-18", () -> ResNet.resnet18(1000, 3, GEN), 11_689_512),
            new Reference("ResNet-34", () -> ResNet.resnet34(1000, 3, GEN), 21_797_672),
            new Reference("ResNet-50", () -> ResNet.resnet50(1000, 3, GEN), 25_557_032),
            new Reference("ResNet-101", () -> ResNet.resnet101(1000, 3, GEN), 44_549_160),
            new Reference("ResNeXt-50 32x4d", () -> ResNet.resnext50_32x4d(1000, 3, GEN), 25_028_904),
            new Reference("Wide ResNet-50-2", () -> ResNet.wideResnet50_2(1000, 3, GEN), 68_883_240),
            new Reference("VGG-11", () -> VGG.vgg11(1000, 3, false, GEN), 132_863_336),
            new Reference("VGG-13", () -> VGG.vgg13(1000, 3, false, GEN), 133_047_848),
            new Reference("VGG-16", () -> VGG.vgg16(1000, 3, false, GEN), 138_357_544),
            new Reference("VGG-16-BN", () -> VGG.vgg16(1000, 3, true, GEN), 138_365_992),
            new Reference("VGG-19", () -> VGG.vgg19(1000, 3, false, GEN), 143_667_240),
            new Reference("AlexNet", AlexNet::torchvision, 61_100_840),
            new Reference("AlexNet (paper, Caffe's count)", AlexNet::paper, 60_965_224),
            new Reference("DenseNet-121", () -> DenseNet.densenet121(1000, 3, GEN), 7_978_856),
            new Reference("GoogLeNet", () -> new GoogLeNet(1000, 3, false, GEN), 6_624_904),
            new Reference("GoogLeNet with aux heads", GoogLeNet::new, 13_004_888),
            new Reference("Inception v3", () -> new InceptionV3(1000, 3, false, GEN), 23_834_568),
            new Reference("Inception v3 with aux head", InceptionV3::new, 27_161_264),
            new Reference("Inception v4", InceptionV4::new, 42_679_816),
            new Reference("Inception-ResNet v2", InceptionResNetV2::new, 55_843_464),
            new Reference("ResNetV2-50", () -> ResNetV2.resnetv2_50(1000, 3, GEN), 25_549_352));

    private static <M extends Module> M allocated(Supplier<M> make) {
        try (Init.Skip ignored = Init.skipped()) {
            return make.get();
        }
    }

    @Test
    void parameterCountsEqualTheReferenceImplementations() {
        for (Reference r : IMAGENET) {
            try (Module m = allocated(r.imagenet())) {
                assertEquals(r.parameters(), m.parameterCount(), r.name());
            }
        }
    }

    /** SHA-256 of "key (shape)" lines, as Python prints {@code f"{k} {tuple(v.shape)}"} over timm's state_dict(). */
    private static String stateDigest(Module m) throws Exception {
        StringJoiner lines = new StringJoiner("\n");
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            long[] shape = e.getValue().shape().toArray();
            StringJoiner dims = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
            for (long d : shape) {
                dims.add(Long.toString(d));
            }
            lines.add(e.getKey() + " " + dims);
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(lines.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }

    @Test
    void timmModelsHaveTimmsStateDictKeysAndShapes() throws Exception {
        try (Module v4 = allocated(InceptionV4::new)) {
            assertEquals(896, v4.stateDict().size());
            assertEquals("1418e8a36978b5cf2a5547801de5c1b786a37c4a36e77527631ad632389e56b5", stateDigest(v4), "inception_v4");
        }
        try (Module irv2 = allocated(InceptionResNetV2::new)) {
            assertEquals(1306, irv2.stateDict().size());
            assertEquals("d907e3d457746928c6a7c49c83954979ad4474def493f2a880bf0963ead2a072", stateDigest(irv2), "inception_resnet_v2");
        }
        try (Module v2 = allocated(() -> ResNetV2.resnetv2_50(1000, 3, GEN))) {
            assertEquals(300, v2.stateDict().size());
            assertEquals("19816ed782cef7b8f4f4ca7444e7fadd769e0c9688e029976172c655b7c8d6b1", stateDigest(v2), "resnetv2_50");
        }
    }

    @Test
    void torchvisionModelsUseTorchvisionsKeys() {
        assertKeys(() -> ResNet.resnet50(1000, 3, GEN), "conv1.weight", "bn1.num_batches_tracked", "layer1.0.downsample.0.weight",
                "layer2.0.downsample.1.running_var", "layer4.2.conv3.weight", "layer4.2.bn3.bias", "fc.weight", "fc.bias");
        assertKeys(() -> ResNet.resnet18(1000, 3, GEN), "layer1.1.conv2.weight", "layer2.0.downsample.0.weight");
        assertKeys(() -> VGG.vgg16(1000, 3, true, GEN), "features.0.weight", "features.1.running_mean", "features.41.weight",
                "classifier.0.weight", "classifier.3.bias", "classifier.6.weight");
        assertKeys(AlexNet::torchvision, "features.0.weight", "features.10.bias", "classifier.1.weight", "classifier.6.bias");
        assertKeys(() -> DenseNet.densenet121(1000, 3, GEN), "features.conv0.weight", "features.norm0.running_var",
                "features.denseblock1.denselayer1.norm1.weight", "features.denseblock4.denselayer16.conv2.weight",
                "features.transition3.conv.weight", "features.norm5.bias", "classifier.weight");
        assertKeys(GoogLeNet::new, "conv1.conv.weight", "conv1.bn.running_mean", "inception3a.branch2.1.conv.weight",
                "inception5b.branch4.1.bn.bias", "aux1.conv.conv.weight", "aux1.fc1.weight", "aux2.fc2.bias", "fc.weight");
        assertKeys(InceptionV3::new, "Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch5x5_2.bn.running_mean", "Mixed_6e.branch7x7dbl_5.conv.weight",
                "AuxLogits.conv0.conv.weight", "AuxLogits.conv1.bn.num_batches_tracked", "AuxLogits.fc.bias", "Mixed_7b.branch3x3_2a.conv.weight",
                "Mixed_7c.branch3x3dbl_3b.bn.bias", "fc.weight");
    }

    private static void assertKeys(Supplier<Module> make, String... keys) {
        try (Module m = allocated(make)) {
            Map<String, Tensor> state = m.stateDict();
            for (String k : keys) {
                assertTrue(state.containsKey(k), m.getClass().getSimpleName() + " has no key " + k);
            }
            assertTrue(state.keySet().stream().toList().indexOf(keys[0]) < state.keySet().stream().toList().indexOf(keys[keys.length - 1]),
                    "registration order");
        }
    }

    /** Every parameter set to a small constant (through the no-grad path), so a forward is cheap to set up and finite. */
    private static <M extends Module> M constant(Supplier<M> make) {
        M m = allocated(make);
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            m.parameters().forEach(p -> p.fill_(0.01));
        }
        return m;
    }

    private record Small(String name, Supplier<Module> make, int channels, int size) {}

    @Test
    void forwardsOnTheSmallestInputsGiveTheClassShape() {
        List<Small> models = List.of(
                new Small("LeNet-5", () -> new LeNet5(10, 1, 28, GEN), 1, 28),
                new Small("AlexNet", () -> AlexNet.torchvision(10, 1, GEN), 1, 63),
                new Small("AlexNet paper", () -> AlexNet.paper(10, 3, GEN), 3, 63),
                new Small("VGG-11-BN", () -> VGG.vgg11(10, 1, true, GEN), 1, 32),
                new Small("VGG-19", () -> VGG.vgg19(10, 3, false, GEN), 3, 32),
                new Small("GoogLeNet", () -> new GoogLeNet(10, 1, true, GEN), 1, 32),
                new Small("Inception v3", () -> new InceptionV3(10, 3, false, GEN), 3, 75),
                new Small("Inception v4", () -> new InceptionV4(10, 1, GEN), 1, 75),
                new Small("Inception-ResNet v2", () -> new InceptionResNetV2(10, 3, GEN), 3, 75),
                new Small("ResNet-34", () -> ResNet.resnet34(10, 1, GEN), 1, 32),
                new Small("ResNet-101", () -> ResNet.resnet101(10, 3, GEN), 3, 32),
                new Small("ResNeXt-50", () -> ResNet.resnext50_32x4d(10, 3, GEN), 3, 32),
                new Small("Wide ResNet-50-2", () -> ResNet.wideResnet50_2(10, 3, GEN), 3, 32),
                new Small("ResNetV2-50", () -> ResNetV2.resnetv2_50(10, 1, GEN), 1, 32),
                new Small("DenseNet-121", () -> DenseNet.densenet121(10, 3, GEN), 3, 32));
        for (Small s : models) {
            try (Module m = constant(s.make()); Scope scope = Scope.open()) {
                m.eval();
                Tensor y = m.forward(Tensor.rand(GEN, 2, s.channels(), s.size(), s.size()));
                assertArrayEquals(new long[] {2, 10}, y.shape().toArray(), s.name());
                assertTrue(Double.isFinite(y.abs().max().item()), s.name() + " output is finite");
            }
        }
    }

    @Test
    void auxiliaryHeadsRunInTrainingOnly() {
        try (GoogLeNet net = constant(() -> new GoogLeNet(7, 3, true, GEN)); Scope scope = Scope.open()) {
            Tensor x = Tensor.rand(GEN, 2, 3, 64, 64);
            try (AuxOutputs out = net.forwardWithAux(x)) {
                assertEquals(2, out.aux().size());
                assertArrayEquals(new long[] {2, 7}, out.aux().get(0).shape().toArray());
                assertArrayEquals(new long[] {2, 7}, out.aux().get(1).shape().toArray());
                assertArrayEquals(new long[] {2, 7}, out.logits().shape().toArray());
            }
            net.eval();
            try (AuxOutputs out = net.forwardWithAux(x)) {
                assertTrue(out.aux().isEmpty());
            }
        }
        try (InceptionV3.InceptionAux aux = new InceptionV3.InceptionAux(768, 5, GEN); Scope scope = Scope.open()) {
            assertArrayEquals(new long[] {2, 5}, aux.forward(Tensor.rand(GEN, 2, 768, 17, 17)).shape().toArray(),
                    "Inception v3's head on Mixed_6e's 17x17 map (a 299x299 input)");
        }
    }

    @Test
    void aSmallResNetTrainsAStep() {
        try (ResNet net = ResNet.resnet18(10, 1, GEN); Scope scope = Scope.open()) {
            Tensor x = Tensor.randn(GEN, 4, 1, 32, 32);
            Tensor labels = Tensor.of(new long[] {1, 0, 9, 3}, 4);
            Tensor loss = dev.panamax.ops.Loss.crossEntropy(net.forward(x), labels);
            assertEquals(Math.log(10), loss.item(), 1.5, "an untrained network is near chance");
            loss.backward();
            assertTrue(net.parameters().stream().allMatch(p -> p.grad() != null), "every parameter gets a gradient");
            assertEquals(1, ((dev.panamax.nn.BatchNorm2d) net.children().get("bn1")).numBatchesTracked());
        }
    }
}
