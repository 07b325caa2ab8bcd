package dev.panamax.models;

import dev.panamax.nn.AdaptiveAvgPool2d;
import dev.panamax.nn.AvgPool2d;
import dev.panamax.nn.Dropout;
import dev.panamax.nn.Init;
import dev.panamax.nn.Linear;
import dev.panamax.nn.MaxPool2d;
import dev.panamax.nn.Module;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Inception v3 (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR
 * 2016) in torchvision's layout ({@code Inception3}): a factorised stem, Mixed_5b-5d (InceptionA),
 * the grid reduction Mixed_6a, Mixed_6b-6e with 1×7/7×1 factorised convolutions, Mixed_7a, and
 * Mixed_7b-7c with split 1×3/3×1 branches; batch-normalised convolutions with eps 1e-3, and optionally
 * the auxiliary classifier on Mixed_6e used in training only ({@link #forwardWithAux}; it needs
 * 299×299-sized inputs, 17×17 at Mixed_6e); torchvision's truncated-normal initialisation (std 0.1,
 * 0.01 and 0.001 in the auxiliary head). 23,834,568 parameters without the auxiliary head,
 * 27,161,264 with it; inputs from 75×75.
 */
public final class InceptionV3 extends Module {
    private static final double EPS = 1e-3;
    private static final ConvOptions ONE = ConvOptions.DEFAULT;

    private final List<Module> beforeAux = new ArrayList<>();
    private final List<Module> afterAux = new ArrayList<>();
    private final InceptionAux auxLogits;
    private final AdaptiveAvgPool2d avgpool;
    private final Dropout dropout;
    private final Linear fc;

    public InceptionV3(int numClasses, int inChannels, boolean auxLogits, Generator gen) {
        add(beforeAux, "Conv2d_1a_3x3", conv(inChannels, 32, 3, 3, ONE.stride(2), gen));
        add(beforeAux, "Conv2d_2a_3x3", conv(32, 32, 3, 3, ONE, gen));
        add(beforeAux, "Conv2d_2b_3x3", conv(32, 64, 3, 3, ONE.padding(1), gen));
        add(beforeAux, "maxpool1", new MaxPool2d(3, 2, 0));
        add(beforeAux, "Conv2d_3b_1x1", conv(64, 80, 1, 1, ONE, gen));
        add(beforeAux, "Conv2d_4a_3x3", conv(80, 192, 3, 3, ONE, gen));
        add(beforeAux, "maxpool2", new MaxPool2d(3, 2, 0));
        add(beforeAux, "Mixed_5b", inceptionA(192, 32, gen));
        add(beforeAux, "Mixed_5c", inceptionA(256, 64, gen));
        add(beforeAux, "Mixed_5d", inceptionA(288, 64, gen));
        add(beforeAux, "Mixed_6a", inceptionB(288, gen));
        add(beforeAux, "Mixed_6b", inceptionC(768, 128, gen));
        add(beforeAux, "Mixed_6c", inceptionC(768, 160, gen));
        add(beforeAux, "Mixed_6d", inceptionC(768, 160, gen));
        add(beforeAux, "Mixed_6e", inceptionC(768, 192, gen));
        this.auxLogits = auxLogits ? registerModule("AuxLogits", new InceptionAux(768, numClasses, gen)) : null;
        add(afterAux, "Mixed_7a", inceptionD(768, gen));
        add(afterAux, "Mixed_7b", inceptionE(1280, gen));
        add(afterAux, "Mixed_7c", inceptionE(2048, gen));
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        dropout = registerModule("dropout", new Dropout(0.5, gen));
        fc = registerModule("fc", new Linear(2048, numClasses, true, gen));
        Weights.truncatedNormal(this, 0.1, gen);
        if (this.auxLogits != null) {
            Init.truncNormal_(this.auxLogits.conv1.conv().weight(), 0, 0.01, -2, 2, gen);
            Init.truncNormal_(this.auxLogits.fc.weight(), 0, 0.001, -2, 2, gen);
        }
    }

    /** ImageNet's Inception v3: 1000 classes, RGB, with the auxiliary head (torchvision's default). */
    public InceptionV3() {
        this(1000, 3, true, Generator.global());
    }

    private void add(List<Module> stage, String name, Module m) {
        stage.add(registerModule(name, m));
    }

    private static BasicConv2d conv(long in, long out, int kh, int kw, ConvOptions o, Generator gen) {
        return new BasicConv2d(in, out, kh, kw, o, EPS, gen);
    }

    /** 3×3 average pooling, stride 1, padding 1, counting the padding (F.avg_pool2d's default). */
    private static AvgPool2d avg3() {
        return new AvgPool2d(3, 1, 1);
    }

    private static Branches inceptionA(long in, int poolFeatures, Generator gen) {
        Branches b = new Branches("InceptionA");
        BasicConv2d b1 = b.child("branch1x1", conv(in, 64, 1, 1, ONE, gen));
        BasicConv2d b5a = b.child("branch5x5_1", conv(in, 48, 1, 1, ONE, gen));
        BasicConv2d b5b = b.child("branch5x5_2", conv(48, 64, 5, 5, ONE.padding(2), gen));
        BasicConv2d d1 = b.child("branch3x3dbl_1", conv(in, 64, 1, 1, ONE, gen));
        BasicConv2d d2 = b.child("branch3x3dbl_2", conv(64, 96, 3, 3, ONE.padding(1), gen));
        BasicConv2d d3 = b.child("branch3x3dbl_3", conv(96, 96, 3, 3, ONE.padding(1), gen));
        BasicConv2d pool = b.child("branch_pool", conv(in, poolFeatures, 1, 1, ONE, gen));
        b.path(b1);
        b.path(b5a, b5b);
        b.path(d1, d2, d3);
        b.path(avg3(), pool);
        return b;
    }

    private static Branches inceptionB(long in, Generator gen) {
        Branches b = new Branches("InceptionB");
        BasicConv2d b3 = b.child("branch3x3", conv(in, 384, 3, 3, ONE.stride(2), gen));
        BasicConv2d d1 = b.child("branch3x3dbl_1", conv(in, 64, 1, 1, ONE, gen));
        BasicConv2d d2 = b.child("branch3x3dbl_2", conv(64, 96, 3, 3, ONE.padding(1), gen));
        BasicConv2d d3 = b.child("branch3x3dbl_3", conv(96, 96, 3, 3, ONE.stride(2), gen));
        b.path(b3);
        b.path(d1, d2, d3);
        b.path(new MaxPool2d(3, 2, 0));
        return b;
    }

    private static Branches inceptionC(long in, int c7, Generator gen) {
        Branches b = new Branches("InceptionC");
        BasicConv2d b1 = b.child("branch1x1", conv(in, 192, 1, 1, ONE, gen));
        BasicConv2d s1 = b.child("branch7x7_1", conv(in, c7, 1, 1, ONE, gen));
        BasicConv2d s2 = b.child("branch7x7_2", conv(c7, c7, 1, 7, ONE.padding(0, 3), gen));
        BasicConv2d s3 = b.child("branch7x7_3", conv(c7, 192, 7, 1, ONE.padding(3, 0), gen));
        BasicConv2d d1 = b.child("branch7x7dbl_1", conv(in, c7, 1, 1, ONE, gen));
        BasicConv2d d2 = b.child("branch7x7dbl_2", conv(c7, c7, 7, 1, ONE.padding(3, 0), gen));
        BasicConv2d d3 = b.child("branch7x7dbl_3", conv(c7, c7, 1, 7, ONE.padding(0, 3), gen));
        BasicConv2d d4 = b.child("branch7x7dbl_4", conv(c7, c7, 7, 1, ONE.padding(3, 0), gen));
        BasicConv2d d5 = b.child("branch7x7dbl_5", conv(c7, 192, 1, 7, ONE.padding(0, 3), gen));
        BasicConv2d pool = b.child("branch_pool", conv(in, 192, 1, 1, ONE, gen));
        b.path(b1);
        b.path(s1, s2, s3);
        b.path(d1, d2, d3, d4, d5);
        b.path(avg3(), pool);
        return b;
    }

    private static Branches inceptionD(long in, Generator gen) {
        Branches b = new Branches("InceptionD");
        BasicConv2d t1 = b.child("branch3x3_1", conv(in, 192, 1, 1, ONE, gen));
        BasicConv2d t2 = b.child("branch3x3_2", conv(192, 320, 3, 3, ONE.stride(2), gen));
        BasicConv2d s1 = b.child("branch7x7x3_1", conv(in, 192, 1, 1, ONE, gen));
        BasicConv2d s2 = b.child("branch7x7x3_2", conv(192, 192, 1, 7, ONE.padding(0, 3), gen));
        BasicConv2d s3 = b.child("branch7x7x3_3", conv(192, 192, 7, 1, ONE.padding(3, 0), gen));
        BasicConv2d s4 = b.child("branch7x7x3_4", conv(192, 192, 3, 3, ONE.stride(2), gen));
        b.path(t1, t2);
        b.path(s1, s2, s3, s4);
        b.path(new MaxPool2d(3, 2, 0));
        return b;
    }

    private static Branches inceptionE(long in, Generator gen) {
        Branches b = new Branches("InceptionE");
        BasicConv2d b1 = b.child("branch1x1", conv(in, 320, 1, 1, ONE, gen));
        BasicConv2d t1 = b.child("branch3x3_1", conv(in, 384, 1, 1, ONE, gen));
        BasicConv2d t2a = b.child("branch3x3_2a", conv(384, 384, 1, 3, ONE.padding(0, 1), gen));
        BasicConv2d t2b = b.child("branch3x3_2b", conv(384, 384, 3, 1, ONE.padding(1, 0), gen));
        BasicConv2d d1 = b.child("branch3x3dbl_1", conv(in, 448, 1, 1, ONE, gen));
        BasicConv2d d2 = b.child("branch3x3dbl_2", conv(448, 384, 3, 3, ONE.padding(1), gen));
        BasicConv2d d3a = b.child("branch3x3dbl_3a", conv(384, 384, 1, 3, ONE.padding(0, 1), gen));
        BasicConv2d d3b = b.child("branch3x3dbl_3b", conv(384, 384, 3, 1, ONE.padding(1, 0), gen));
        BasicConv2d pool = b.child("branch_pool", conv(in, 192, 1, 1, ONE, gen));
        b.path(b1);
        b.path(t1, Branches.split(t2a, t2b));
        b.path(d1, d2, Branches.split(d3a, d3b));
        b.path(avg3(), pool);
        return b;
    }

    /** The main logits only (the auxiliary head is skipped). */
    @Override
    public Tensor forward(Tensor x) {
        try (AuxOutputs out = run(x, false)) {
            return out.logits().alias();
        }
    }

    /** The main logits and, in training with the auxiliary head, its logits. */
    public AuxOutputs forwardWithAux(Tensor x) {
        return run(x, isTraining() && auxLogits != null);
    }

    private AuxOutputs run(Tensor x, boolean withAux) {
        List<Tensor> aux = new ArrayList<>();
        try (Tensor mid = Blocks.chain(x, beforeAux.toArray(Module[]::new))) {
            if (withAux) {
                aux.add(auxLogits.forward(mid));
            }
            try (Tensor f = Blocks.chain(mid, afterAux.toArray(Module[]::new)); Tensor p = avgpool.forward(f);
                 Tensor d = dropout.forward(p); Tensor flat = d.flatten(1, -1)) {
                return new AuxOutputs(fc.forward(flat), aux);
            }
        }
    }

    /** The main path, without the auxiliary head. */
    @Override
    protected List<Module> receptivePath() {
        List<Module> path = new ArrayList<>(beforeAux);
        path.addAll(afterAux);
        return path;
    }

    /** The auxiliary classifier: 5×5/3 average pool, 1×1 conv to 128, 5×5 conv to 768, global average pool, linear. */
    static final class InceptionAux extends Module {
        private final BasicConv2d conv0;
        private final BasicConv2d conv1;
        private final Linear fc;

        InceptionAux(long in, int numClasses, Generator gen) {
            conv0 = registerModule("conv0", conv(in, 128, 1, 1, ONE, gen));
            conv1 = registerModule("conv1", conv(128, 768, 5, 5, ONE, gen));
            fc = registerModule("fc", new Linear(768, numClasses, true, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor p = Pooling.avgPool2d(x, dev.panamax.ops.PoolOptions.kernel(5).stride(3)); Tensor a = conv0.forward(p);
                 Tensor b = conv1.forward(a); Tensor g = Pooling.globalAvgPool2d(b); Tensor flat = g.flatten(1, -1)) {
                return fc.forward(flat);
            }
        }
    }
}
