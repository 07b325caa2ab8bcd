package dev.panamax.models;

import dev.panamax.nn.AdaptiveAvgPool2d;
import dev.panamax.nn.Dropout;
import dev.panamax.nn.Linear;
import dev.panamax.nn.MaxPool2d;
import dev.panamax.nn.Module;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.PoolOptions;
import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * GoogLeNet, Inception v1 (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015), in
 * torchvision's layout: batch-normalised convolutions (eps 1e-3), nine Inception blocks of four
 * branches (1×1; 1×1→3×3; 1×1→3×3 where the paper has 5×5, torchvision's known deviation kept for its
 * parameter count; 3×3 max pool→1×1), ceil-mode pooling, and optionally the two auxiliary classifiers
 * after inception4a and inception4d, used in training only ({@link #forwardWithAux}); torchvision's
 * truncated-normal initialisation (std 0.01). 6,624,904 parameters without the auxiliary heads,
 * 13,004,888 with them; inputs from 32×32.
 */
public final class GoogLeNet extends Module {
    private final List<Module> stem;
    private final List<Module> middle;
    private final List<Module> tail;
    private final InceptionAux aux1;
    private final InceptionAux aux2;
    private final AdaptiveAvgPool2d avgpool;
    private final Dropout dropout;
    private final Linear fc;

    private static final double EPS = 1e-3;

    public GoogLeNet(int numClasses, int inChannels, boolean auxLogits, Generator gen) {
        PoolOptions ceil = PoolOptions.kernel(3).stride(2).ceilMode(true);
        stem = List.of(
                registerModule("conv1", new BasicConv2d(inChannels, 64, 7, ConvOptions.DEFAULT.stride(2).padding(3), EPS, gen)),
                registerModule("maxpool1", new MaxPool2d(ceil)),
                registerModule("conv2", new BasicConv2d(64, 64, 1, ConvOptions.DEFAULT, EPS, gen)),
                registerModule("conv3", new BasicConv2d(64, 192, 3, ConvOptions.DEFAULT.padding(1), EPS, gen)),
                registerModule("maxpool2", new MaxPool2d(ceil)),
                registerModule("inception3a", inception(192, 64, 96, 128, 16, 32, 32, gen)),
                registerModule("inception3b", inception(256, 128, 128, 192, 32, 96, 64, gen)),
                registerModule("maxpool3", new MaxPool2d(ceil)),
                registerModule("inception4a", inception(480, 192, 96, 208, 16, 48, 64, gen)));
        middle = List.of(
                registerModule("inception4b", inception(512, 160, 112, 224, 24, 64, 64, gen)),
                registerModule("inception4c", inception(512, 128, 128, 256, 24, 64, 64, gen)),
                registerModule("inception4d", inception(512, 112, 144, 288, 32, 64, 64, gen)));
        tail = List.of(
                registerModule("inception4e", inception(528, 256, 160, 320, 32, 128, 128, gen)),
                registerModule("maxpool4", new MaxPool2d(PoolOptions.kernel(2).ceilMode(true))),
                registerModule("inception5a", inception(832, 256, 160, 320, 32, 128, 128, gen)),
                registerModule("inception5b", inception(832, 384, 192, 384, 48, 128, 128, gen)));
        aux1 = auxLogits ? registerModule("aux1", new InceptionAux(512, numClasses, gen)) : null;
        aux2 = auxLogits ? registerModule("aux2", new InceptionAux(528, numClasses, gen)) : null;
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        dropout = registerModule("dropout", new Dropout(0.2, gen));
        fc = registerModule("fc", new Linear(1024, numClasses, true, gen));
        Weights.truncatedNormal(this, 0.01, gen);
    }

    /** ImageNet's GoogLeNet: 1000 classes, RGB, with the auxiliary heads (torchvision's default). */
    public GoogLeNet() {
        this(1000, 3, true, Generator.global());
    }

    private static Branches inception(long in, int ch1x1, int ch3x3red, int ch3x3, int ch5x5red, int ch5x5, int poolProj, Generator gen) {
        Branches b = new Branches("Inception");
        b.path(b.child("branch1", new BasicConv2d(in, ch1x1, 1, ConvOptions.DEFAULT, EPS, gen)));
        b.path(b.child("branch2", new Sequential(new BasicConv2d(in, ch3x3red, 1, ConvOptions.DEFAULT, EPS, gen),
                new BasicConv2d(ch3x3red, ch3x3, 3, ConvOptions.DEFAULT.padding(1), EPS, gen))));
        b.path(b.child("branch3", new Sequential(new BasicConv2d(in, ch5x5red, 1, ConvOptions.DEFAULT, EPS, gen),
                new BasicConv2d(ch5x5red, ch5x5, 3, ConvOptions.DEFAULT.padding(1), EPS, gen))));
        b.path(b.child("branch4", new Sequential(new MaxPool2d(PoolOptions.kernel(3).stride(1).padding(1).ceilMode(true)),
                new BasicConv2d(in, poolProj, 1, ConvOptions.DEFAULT, EPS, gen))));
        return b;
    }

    /** The main logits only (the auxiliary heads are skipped). */
    @Override
    public Tensor forward(Tensor x) {
        try (Tensor f = features(x, null)) {
            return classify(f);
        }
    }

    /** The main logits and, in training with auxiliary heads, aux1's and aux2's. */
    public AuxOutputs forwardWithAux(Tensor x) {
        List<Tensor> aux = new ArrayList<>();
        try (Tensor f = features(x, isTraining() && aux1 != null ? aux : null)) {
            return new AuxOutputs(classify(f), aux);
        }
    }

    private Tensor features(Tensor x, List<Tensor> aux) {
        try (Tensor a = Blocks.chain(x, stem.toArray(Module[]::new))) {
            if (aux != null) {
                aux.add(aux1.forward(a));
            }
            try (Tensor d = Blocks.chain(a, middle.toArray(Module[]::new))) {
                if (aux != null) {
                    aux.add(aux2.forward(d));
                }
                return Blocks.chain(d, tail.toArray(Module[]::new));
            }
        }
    }

    private Tensor classify(Tensor features) {
        try (Tensor p = avgpool.forward(features); Tensor flat = p.flatten(1, -1); Tensor dropped = dropout.forward(flat)) {
            return fc.forward(dropped);
        }
    }

    /** The main path, without the auxiliary heads. */
    @Override
    protected List<Module> receptivePath() {
        List<Module> path = new ArrayList<>(stem);
        path.addAll(middle);
        path.addAll(tail);
        return path;
    }

    /** An auxiliary classifier: 4×4 average pool, 1×1 conv to 128, linear 2048→1024, ReLU, dropout 0.7, linear to classes. */
    static final class InceptionAux extends Module {
        private final BasicConv2d conv;
        private final Linear fc1;
        private final Linear fc2;
        private final Dropout dropout;

        InceptionAux(long in, int numClasses, Generator gen) {
            conv = registerModule("conv", new BasicConv2d(in, 128, 1, ConvOptions.DEFAULT, EPS, gen));
            fc1 = registerModule("fc1", new Linear(2048, 1024, true, gen));
            fc2 = registerModule("fc2", new Linear(1024, numClasses, true, gen));
            dropout = registerModule("dropout", new Dropout(0.7, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor p = Pooling.adaptiveAvgPool2d(x, 4, 4); Tensor c = conv.forward(p); Tensor flat = c.flatten(1, -1);
                 Tensor h = fc1.forward(flat); Tensor r = h.relu(); Tensor d = dropout.forward(r)) {
                return fc2.forward(d);
            }
        }
    }
}
