package dev.panamax.detection;

import dev.panamax.autograd.GradMode;
import dev.panamax.models.ResNet;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ren et al., "Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks",
 * NeurIPS 2015, with a feature pyramid (Lin et al., CVPR 2017), as torchvision's
 * {@code FasterRCNN}: children {@code backbone}, {@code rpn}, {@code roi_heads} with torchvision's
 * state-dict names, so its weights load. In training mode {@link #losses} returns
 * loss_classifier, loss_box_reg, loss_objectness and loss_rpn_box_reg; in evaluation mode
 * {@link #detect} returns detections in each input image's pixels.
 */
public final class FasterRCNN extends Module {
    private final int numClasses;
    private final GeneralizedRCNNTransform transform;
    private final BackboneWithFPN backbone;
    private final RegionProposalNetwork rpn;
    private final RoIHeads roiHeads;

    /**
     * Everything but the backbone and the classes.
     *
     * @param representationSize the width of the box head's two fully connected layers
     */
    public record Config(GeneralizedRCNNTransform transform, AnchorGenerator anchorGenerator, RegionProposalNetwork.Settings rpn,
                         RoIHeads.Settings box, RoiMode roiMode, long representationSize) {
        /** torchvision's fasterrcnn_resnet50_fpn. */
        public static Config torchvisionDefault() {
            return new Config(GeneralizedRCNNTransform.fasterRcnnDefault(), AnchorGenerator.fasterRcnnDefault(),
                    RegionProposalNetwork.Settings.DEFAULT, RoIHeads.Settings.DEFAULT, RoiMode.ALIGN, 1024);
        }
    }

    /** The pyramid levels the box head pools from (the extra "pool" level only feeds the RPN). */
    private static final List<String> BOX_LEVELS = List.of("0", "1", "2", "3");

    public FasterRCNN(BackboneWithFPN backbone, int numClasses, Config config, Generator gen) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("FasterRCNN: numClasses counts the background, so it must be at least 2, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.transform = config.transform();
        this.backbone = registerModule("backbone", backbone);
        int[] anchorsPerLocation = config.anchorGenerator().numAnchorsPerLocation();
        if (Arrays.stream(anchorsPerLocation).distinct().count() != 1) {
            throw new IllegalArgumentException("FasterRCNN: the shared RPN head needs the same number of anchors on every level, got "
                    + Arrays.toString(anchorsPerLocation));
        }
        RPNHead rpnHead = new RPNHead(backbone.outChannels(), anchorsPerLocation[0], gen);
        this.rpn = registerModule("rpn", new RegionProposalNetwork(config.anchorGenerator(), rpnHead, config.rpn(), gen));
        MultiScaleRoIAlign pool = new MultiScaleRoIAlign(BOX_LEVELS, 7, 2, config.roiMode());
        long pooledSize = backbone.outChannels() * pool.outputSize() * pool.outputSize();
        TwoMLPHead boxHead = new TwoMLPHead(pooledSize, config.representationSize(), gen);
        FastRCNNPredictor predictor = new FastRCNNPredictor(config.representationSize(), numClasses, gen);
        this.roiHeads = registerModule("roi_heads", new RoIHeads(pool, boxHead, predictor, config.box(), gen));
    }

    /**
     * torchvision's {@code fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None)}: plain batch
     * norm, all five backbone stages trainable; 41,808,406 parameters with 91 classes.
     */
    public static FasterRCNN resnet50Fpn(int numClasses) {
        return resnet50Fpn(numClasses, false, Generator.global());
    }

    /**
     * @param pretrainedBackbone build it as torchvision does for a pretrained backbone (to load one
     *                           into): frozen batch norm and only layer2..layer4 trainable
     */
    public static FasterRCNN resnet50Fpn(int numClasses, boolean pretrainedBackbone, Generator gen) {
        ResNet.NormLayer norm = pretrainedBackbone ? FrozenBatchNorm2d::new : ResNet.BATCH_NORM;
        ResNet resnet = ResNet.resnet50(1000, 3, norm, gen);
        BackboneWithFPN backbone = new BackboneWithFPN(resnet, 256, pretrainedBackbone ? 3 : 5, 256, gen);
        return new FasterRCNN(backbone, numClasses, Config.torchvisionDefault(), gen);
    }

    /**
     * A small Faster R-CNN for CPU training on small images (about 160×160 with objects of 20 to 70
     * pixels): ResNet-18 body, 64 FPN channels, a 256-wide box head, anchors 16..256 (one size per
     * level, ratios 0.5, 1, 2), images resized to a shorter side of 160 (the longer at most 320),
     * and fewer proposals and samples than torchvision's defaults.
     */
    public static FasterRCNN resnet18Fpn(int numClasses, RoiMode roiMode, Generator gen) {
        return resnet18Fpn(numClasses, roiMode, 160, gen);
    }

    /** {@link #resnet18Fpn(int, RoiMode, Generator)} resizing images to a shorter side of {@code minSize} (the longer at most twice that). */
    public static FasterRCNN resnet18Fpn(int numClasses, RoiMode roiMode, int minSize, Generator gen) {
        BackboneWithFPN backbone = new BackboneWithFPN(ResNet.resnet18(1000, 3, gen), 64, 5, 64, gen);
        AnchorGenerator anchors = new AnchorGenerator(new double[][] {{16}, {32}, {64}, {128}, {256}}, new double[][] {{0.5, 1.0, 2.0}});
        GeneralizedRCNNTransform transform = new GeneralizedRCNNTransform(minSize, 2 * minSize, GeneralizedRCNNTransform.IMAGENET_MEAN,
                GeneralizedRCNNTransform.IMAGENET_STD);
        Config config = new Config(transform, anchors, new RegionProposalNetwork.Settings(600, 300, 300, 100, 0.7, 0.7, 0.3, 128, 0.5, 0.0),
                new RoIHeads.Settings(0.5, 0.5, 128, 0.25, 0.05, 0.5, 100), roiMode, 256);
        return new FasterRCNN(backbone, numClasses, config, gen);
    }

    public int numClasses() {
        return numClasses;
    }

    /** Not a single-input module: use {@link #losses} or {@link #detect}. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("FasterRCNN takes a list of images: call losses(images, targets) in training"
                + " or detect(images) in evaluation");
    }

    /**
     * The four training losses (scalars with gradients) for images [3, H, W] (values in [0, 1],
     * sizes may differ) and one target per image in the image's pixels.
     *
     * @throws IllegalStateException in evaluation mode
     * @throws IllegalArgumentException naming the image and box or label at fault
     */
    public Map<String, Tensor> losses(List<Tensor> images, List<Target> targets) {
        if (!isTraining()) {
            throw new IllegalStateException("FasterRCNN.losses needs training mode (call train()); in evaluation mode use detect(images)");
        }
        checkTargets(images, targets);
        try (GeneralizedRCNNTransform.Batch batch = transform.apply(images, targets)) {
            Map<String, Tensor> features = backbone.features(batch.images().tensors());
            try (RegionProposalNetwork.Output proposals = rpn.propose(batch.images(), features, batch.targets())) {
                Map<String, Tensor> losses = new LinkedHashMap<>(
                        roiHeads.losses(features, proposals.proposals(), batch.images().imageSizes(), batch.targets()));
                losses.putAll(proposals.losses());
                return losses;
            } finally {
                features.values().forEach(Tensor::close);
            }
        }
    }

    /**
     * Detections for images [3, H, W], boxes in each image's own pixels.
     *
     * @throws IllegalStateException in training mode
     */
    public List<Detections> detect(List<Tensor> images) {
        if (isTraining()) {
            throw new IllegalStateException("FasterRCNN.detect needs evaluation mode (call eval()); in training mode use losses(images, targets)");
        }
        List<int[]> originalSizes = images.stream().map(FasterRCNN::imageSize).toList();
        try (GradMode.Guard ignored = GradMode.noGrad(); GeneralizedRCNNTransform.Batch batch = transform.apply(images, List.of())) {
            Map<String, Tensor> features = backbone.features(batch.images().tensors());
            try (RegionProposalNetwork.Output proposals = rpn.propose(batch.images(), features, List.of())) {
                List<Detections> detections = roiHeads.detect(features, proposals.proposals(), batch.images().imageSizes());
                return transform.postprocess(detections, batch.images().imageSizes(), originalSizes);
            } finally {
                features.values().forEach(Tensor::close);
            }
        }
    }

    private static int[] imageSize(Tensor image) {
        return new int[] {(int) image.size(-2), (int) image.size(-1)};
    }

    /** torchvision's checks (one target per image, boxes with positive width and height) and labels within the classes. */
    private void checkTargets(List<Tensor> images, List<Target> targets) {
        if (targets.size() != images.size()) {
            throw new IllegalArgumentException("FasterRCNN: " + images.size() + " images but " + targets.size() + " targets");
        }
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            float[] b = t.boxes().toFloatArray();
            for (int k = 0; k < t.size(); k++) {
                if (b[4 * k + 2] <= b[4 * k] || b[4 * k + 3] <= b[4 * k + 1]) {
                    throw new IllegalArgumentException("All bounding boxes should have positive height and width. Found invalid box "
                            + Arrays.toString(Arrays.copyOfRange(b, 4 * k, 4 * k + 4)) + " for target at index " + i + ".");
                }
            }
            long[] labels = t.labels().toLongArray();
            for (int k = 0; k < labels.length; k++) {
                if (labels[k] < 1 || labels[k] >= numClasses) {
                    throw new IllegalArgumentException("target " + i + " box " + k + " has label " + labels[k] + ", but labels must be 1 to "
                            + (numClasses - 1) + " (0 is the background, the model has " + numClasses + " classes)");
                }
            }
        }
    }
}
