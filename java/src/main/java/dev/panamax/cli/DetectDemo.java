package dev.panamax.cli;

import dev.panamax.Panamax;
import dev.panamax.data.datasets.FashionMnist;
import dev.panamax.data.datasets.MnistData;
import dev.panamax.detection.CocoStats;
import dev.panamax.detection.DetectionBatch;
import dev.panamax.detection.DetectionEpochStats;
import dev.panamax.detection.DetectionLoader;
import dev.panamax.detection.DetectionPlot;
import dev.panamax.detection.DetectionTrainer;
import dev.panamax.detection.DetectorCheckpoint;
import dev.panamax.detection.DetectorEvaluation;
import dev.panamax.detection.Detections;
import dev.panamax.detection.FashionScenes;
import dev.panamax.detection.FasterRCNN;
import dev.panamax.detection.ImageFiles;
import dev.panamax.detection.RoiMode;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.ParamGroup;
import dev.panamax.optim.SGD;
import dev.panamax.optim.schedule.LinearLR;
import dev.panamax.optim.schedule.MultiStepLR;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.ProgressBar;
import dev.panamax.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * {@code panamax demo detect}: trains the small Faster R-CNN on synthetic Fashion-MNIST scenes
 * with torchvision's detection recipe (SGD, momentum 0.9, weight decay 1e-4, a linear warm-up
 * over the first epoch, the rate divided by 10 after three quarters of the epochs), then scores
 * it on the test scenes with pycocotools' numbers and draws what it finds.
 */
final class DetectDemo {
    static final String USAGE = """
            usage: panamax demo detect [--epochs N] [--train-scenes N] [--test-scenes N] [--batch-size N] [--lr LR]
                                       [--roi align|pool] [--image-size N] [--device cpu|cuda[:N]|auto] [--threads N]
                                       [--seed N] [--data DIR] [--out DIR] [--resume CHECKPOINT]
              trains a small Faster R-CNN (ResNet-18 FPN, from scratch) to find and name Fashion-MNIST items pasted on
              black canvases (1 to 5 per image), then prints COCO AP, AP50, AP75 and pycocotools' table on the test
              scenes (items from the test split only) and draws the test images with true (green) and predicted (red) boxes.
              --roi pool uses ROI pooling (Fast R-CNN's) instead of ROI align. --image-size shrinks the canvas and the
              items with it (for quick runs).
              defaults: 3 epochs, 500 training and 200 test scenes, batch 4, SGD lr 0.02 (momentum 0.9, weight decay
                        1e-4, warm-up over epoch 1, x0.1 after three quarters of the epochs, rounded), roi align, image size
                        160, cpu, seed 0, out runs/detect-<time> (about 4 minutes on 2 idle cores)
            """;
    private static final Set<String> OPTIONS = Set.of("epochs", "train-scenes", "test-scenes", "batch-size", "lr", "roi", "image-size",
            "device", "threads", "seed", "data", "out", "resume");
    /** The canvas FashionScenes' default item scales are made for. */
    private static final int DEFAULT_CANVAS = FashionScenes.Options.DEFAULT.canvas();
    private static final int PLOTTED_IMAGES = 8;

    private DetectDemo() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = Args.parse("demo detect", argv, OPTIONS, Set.of());
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("demo detect: unexpected argument '" + a.positional().get(0) + "'");
        }
        int epochs = a.positiveInt("epochs", 3);
        int trainScenes = a.positiveInt("train-scenes", 500);
        int testScenes = a.positiveInt("test-scenes", 200);
        int batchSize = a.positiveInt("batch-size", 4);
        double lr = a.positiveDouble("lr", 0.02);
        RoiMode roi = RoiMode.valueOf(a.choice("roi", "align", List.of("align", "pool")).toUpperCase(Locale.ROOT));
        int imageSize = a.positiveInt("image-size", DEFAULT_CANVAS);
        Device device = TrainCommand.device("demo detect", a.string("device", "cpu"));
        if (a.flag("threads")) {
            Panamax.setThreads(a.positiveInt("threads", 1));
        }
        long seed = a.integer("seed", 0);
        Path data = a.flag("data") ? Path.of(a.string("data", "")) : null;
        Path outDir = Path.of(a.string("out", "runs/detect-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        Path resume = a.flag("resume") ? Path.of(a.string("resume", "")) : null;
        FashionScenes.Options scenes = sceneOptions(imageSize);

        long start = System.nanoTime();
        Generator gen = new Generator(seed);
        DetectorCheckpoint.Spec spec = new DetectorCheckpoint.Spec(classNames(), imageSize, roi);
        DetectorCheckpoint.Spec saved = resume == null ? spec : DetectorCheckpoint.spec(resume);
        if (!saved.equals(spec)) {
            throw new Args.UsageException("demo detect: " + resume + " was trained with --roi " + saved.roi().name().toLowerCase(Locale.ROOT)
                    + " --image-size " + saved.imageSize() + "; resume it with the same");
        }
        try (MnistData fm = FashionMnist.loadOrSample(data);
             FasterRCNN model = spec.build(gen);
             DetectionLoader train = new DetectionLoader(new FashionScenes(fm.train(), trainScenes, seed, scenes), batchSize, true, seed, true);
             DetectionLoader test = new DetectionLoader(new FashionScenes(fm.test(), testScenes, seed + 1, scenes), batchSize, false, seed, true);
             Optimizer optimizer = SGD.builder().lr(lr).momentum(0.9).weightDecay(1e-4).build(ParamGroup.of(trainable(model, device)))) {
            out.println("data: " + fm.description());
            out.printf(Locale.ROOT, "scenes: %d training, %d test, %d×%d with %d to %d items (training items from the training split, test"
                    + " items from the test split)%n", trainScenes, testScenes, imageSize, imageSize, scenes.minItems(), scenes.maxItems());
            out.printf(Locale.ROOT, "model: Faster R-CNN, ResNet-18 FPN, roi %s, on %s, %,d parameters; SGD lr %s, batch %d, %d epochs,"
                    + " %d threads, seed %d%n", roi.name().toLowerCase(Locale.ROOT), device, model.parameterCount(), lr, batchSize, epochs,
                    Panamax.threads(), seed);
            // torchvision's reference: the main schedule first, then the warm-up, whose factor applies on top of it
            MultiStepLR decay = new MultiStepLR(optimizer, lastQuarter(epochs));
            LinearLR warmup = new LinearLR(optimizer, 1e-3, 1.0, Math.max(1, Math.min(1000, train.numBatches() - 1)));
            DetectionTrainer trainer = new DetectionTrainer(new DetectionTrainer.Setup(DetectorCheckpoint.MODEL_NAME, model, optimizer, warmup,
                    decay, train, test, epochs, outDir, gen, spec.metadata(), out, ProgressBar.stdoutIsTerminal()));
            List<DetectionEpochStats> history = trainer.fit(resume);
            CocoStats stats = trainer.lastStats() != null ? trainer.lastStats() : DetectorEvaluation.coco(model, test);
            out.println();
            out.printf("COCO box metrics on %d test scenes after epoch %d:%n", testScenes, history.isEmpty() ? 0 : history.getLast().epoch());
            out.print(stats);
            out.printf(Locale.ROOT, "AP %.3f  AP50 %.3f  AP75 %.3f  (roi %s, %.1f s in all)%n", stats.ap(), stats.ap50(), stats.ap75(),
                    roi.name().toLowerCase(Locale.ROOT), (System.nanoTime() - start) / 1e9);
            model.eval();
            Path plot = outDir.resolve("test-detections.png");
            Path example = outDir.resolve("test-scene.png");
            drawTestImages(model, test, spec, plot, example);
            out.println(Trainer.describeOutputs(outDir));
            out.println("test images with true (green) and predicted (red) boxes: " + plot);
            out.println("try: ./panamax predict " + outDir.resolve("last.safetensors") + " " + example);
        }
        return Main.OK;
    }

    /** FashionScenes' defaults, items scaled with the canvas so that they keep their share of it. */
    private static FashionScenes.Options sceneOptions(int imageSize) {
        if (imageSize < 32) {
            throw new Args.UsageException("demo detect: --image-size must be at least 32, got " + imageSize);
        }
        FashionScenes.Options d = FashionScenes.Options.DEFAULT;
        double f = (double) imageSize / d.canvas();
        return new FashionScenes.Options(imageSize, d.minItems(), d.maxItems(), d.minScale() * f, d.maxScale() * f, d.maxOverlap());
    }

    /** Labels 1..10 are Fashion-MNIST's classes 0..9. */
    private static List<String> classNames() {
        return Stream.concat(Stream.of("__background__"), FashionMnist.CLASSES.stream()).toList();
    }

    /** The parameters to optimise, after moving the model to {@code device}. */
    private static List<Tensor> trainable(FasterRCNN model, Device device) {
        model.to(device);
        return model.parameters().stream().filter(Tensor::requiresGrad).toList();
    }

    /** The epoch after which the rate drops tenfold: torchvision's 26-epoch schedule spends its last ~quarter at the lower rates too. */
    private static int[] lastQuarter(int epochs) {
        return epochs < 2 ? new int[0] : new int[] {Math.max(1, (int) Math.round(0.75 * epochs))};
    }

    /** The first test images with their boxes as one PNG, and the first alone, for {@code panamax predict} to try. */
    private static void drawTestImages(FasterRCNN model, DetectionLoader test, DetectorCheckpoint.Spec spec, Path plot, Path example)
            throws IOException {
        long n = Math.min(PLOTTED_IMAGES, test.dataset().size());
        long[] indices = LongStream.range(0, n).toArray();
        try (DetectionBatch batch = test.dataset().batch(indices)) {
            List<Detections> found = DetectorEvaluation.detect(model, batch.images());
            try {
                List<DetectionPlot.Panel> panels = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    panels.add(new DetectionPlot.Panel(batch.images().get(i), batch.targets().get(i), found.get(i)));
                }
                DetectionPlot.write(plot, panels, spec.classes());
                ImageFiles.writePng(example, batch.images().getFirst());
            } finally {
                found.forEach(Detections::close);
            }
        }
    }
}
