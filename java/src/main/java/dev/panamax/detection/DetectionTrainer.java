package dev.panamax.detection;

import dev.panamax.optim.Optimizer;
import dev.panamax.optim.schedule.LRScheduler;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.train.AtomicFiles;
import dev.panamax.train.Checkpoint;
import dev.panamax.train.CurvePlot;
import dev.panamax.train.ProgressBar;
import dev.panamax.train.TensorBoardWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The training loop of a {@link FasterRCNN}, as torchvision's detection reference runs it: each
 * step minimises the sum of the four losses; a per-step warm-up runs during the first epoch and
 * an epoch schedule after every epoch. After each epoch the test split is scored (COCO AP, AP50,
 * AP75), and the run writes what {@link dev.panamax.train.Trainer} writes for a classifier:
 * history.csv, curves.png, TensorBoard scalars and atomic checkpoints (last.safetensors every
 * epoch, best.safetensors the weights alone at the best AP50) that {@code resumeFrom} continues.
 */
public final class DetectionTrainer {
    /** Checkpoint metadata key of the epoch table (the checkpoint's own table is a classifier's). */
    static final String HISTORY_KEY = "detection_history";

    /**
     * What a run needs.
     *
     * @param warmup        stepped after every step of the first epoch (null: none)
     * @param epochSchedule stepped after every epoch and saved in checkpoints (null: none)
     * @param test          scored after every epoch (null: not scored)
     * @param outDir        where curves and checkpoints go (null: nowhere)
     * @param generator     the generator the model's samplers draw from, saved in checkpoints
     * @param metadata      strings saved with every checkpoint (what the model is, for predict)
     */
    public record Setup(String modelName, FasterRCNN model, Optimizer optimizer, LRScheduler warmup, LRScheduler epochSchedule,
                        DetectionLoader train, DetectionLoader test, int epochs, Path outDir, Generator generator,
                        Map<String, String> metadata, PrintStream out, boolean terminal) {
        public Setup {
            Objects.requireNonNull(model, "DetectionTrainer: model");
            Objects.requireNonNull(optimizer, "DetectionTrainer: optimizer");
            Objects.requireNonNull(train, "DetectionTrainer: training data");
            if (epochs < 1) {
                throw new IllegalArgumentException("DetectionTrainer: epochs must be at least 1, got " + epochs);
            }
            metadata = Map.copyOf(metadata);
        }
    }

    private final Setup s;
    private final List<DetectionEpochStats> history = new ArrayList<>();
    /** The scores of the last evaluation (null before one). */
    private CocoStats lastStats;

    public DetectionTrainer(Setup setup) {
        this.s = setup;
    }

    /** The COCO numbers after the last epoch this run trained (null when it trained none or has no test split). */
    public CocoStats lastStats() {
        return lastStats;
    }

    /** Trains the epochs left after {@code resumeFrom}'s (null: all of them); returns the whole table. */
    public List<DetectionEpochStats> fit(Path resumeFrom) throws IOException {
        int first = 1;
        if (resumeFrom != null) {
            Checkpoint.Resumed r = Checkpoint.load(resumeFrom, s.model(), s.optimizer(), s.epochSchedule(), s.generator());
            String table = r.metadata().get(HISTORY_KEY);
            if (table == null) {
                throw new IOException(resumeFrom + " is not a detector's checkpoint (its metadata has no " + HISTORY_KEY + ")");
            }
            history.addAll(DetectionEpochStats.parseCsv(table.lines().toList()));
            first = r.epoch() + 1;
            s.out().println("resumed from " + resumeFrom + " after epoch " + r.epoch());
        }
        double bestAp50 = history.stream().mapToDouble(DetectionEpochStats::ap50).filter(v -> !Double.isNaN(v)).max().orElse(-1);
        try (TensorBoardWriter tb = s.outDir() == null ? null : new TensorBoardWriter(s.outDir().resolve("tensorboard"))) {
            printHeader();
            for (int epoch = first; epoch <= s.epochs(); epoch++) {
                DetectionEpochStats stats = runEpoch(epoch);
                history.add(stats);
                printRow(stats);
                if (s.epochSchedule() != null) {
                    s.epochSchedule().step();
                }
                if (s.outDir() != null) {
                    writeCurves(tb, stats);
                    save("last.safetensors", epoch, true);
                    if (stats.ap50() > bestAp50) {
                        bestAp50 = stats.ap50();
                        save("best.safetensors", epoch, false);
                    }
                }
            }
        }
        return List.copyOf(history);
    }

    private DetectionEpochStats runEpoch(int epoch) {
        long start = System.nanoTime();
        s.model().train();
        Device device = s.model().device();
        DetectionLoader.Epoch batches = s.train().epoch(epoch - 1);
        ProgressBar bar = new ProgressBar(s.out(), s.terminal(), String.format(Locale.ROOT, "epoch %d/%d", epoch, s.epochs()),
                s.train().numBatches());
        Map<String, Double> sums = new LinkedHashMap<>();
        DetectionEpochStats.LOSSES.forEach(name -> sums.put(name, 0.0));
        long seen = 0;
        long step = 0;
        double totalSum = 0;
        try (batches) {
            while (batches.hasNext()) {
                try (DetectionBatch batch = batches.next(); Scope scope = Scope.open()) {
                    List<Tensor> images = batch.images().stream().map(image -> image.to(device)).toList();
                    List<Target> targets = batch.targets().stream()
                            .map(t -> new Target(t.boxes().to(device), t.labels().to(device))).toList();
                    s.optimizer().zeroGrad();
                    Map<String, Tensor> losses = s.model().losses(images, targets);
                    Tensor total = null;
                    for (String name : DetectionEpochStats.LOSSES) {
                        Tensor loss = losses.get(name);
                        total = total == null ? loss : total.add(loss);
                        sums.merge(name, loss.item() * batch.size(), Double::sum);
                    }
                    total.backward();
                    s.optimizer().step();
                    if (epoch == 1 && s.warmup() != null) {
                        s.warmup().step();
                    }
                    totalSum += total.item() * batch.size();
                    seen += batch.size();
                }
                bar.update(++step, seen, totalSum / seen);
            }
        }
        long n = Math.max(1, seen);
        sums.replaceAll((name, sum) -> sum / n);
        lastStats = s.test() == null ? null : DetectorEvaluation.coco(s.model(), s.test());
        double nan = Double.NaN;
        return new DetectionEpochStats(epoch, sums, lastStats == null ? nan : lastStats.ap(), lastStats == null ? nan : lastStats.ap50(),
                lastStats == null ? nan : lastStats.ap75(), s.optimizer().paramGroups().get(0).lr(), (System.nanoTime() - start) / 1e9);
    }

    private void printHeader() {
        s.out().printf(Locale.ROOT, "%5s  %10s  %10s  %10s  %10s  %10s  %6s  %6s  %6s  %9s  %7s%n", "epoch", "classifier", "box_reg",
                "objectness", "rpn_box", "total", "AP", "AP50", "AP75", "lr", "seconds");
    }

    private void printRow(DetectionEpochStats e) {
        List<Double> l = List.copyOf(e.losses().values());
        s.out().printf(Locale.ROOT, "%5d  %10.4f  %10.4f  %10.4f  %10.4f  %10.4f  %6.3f  %6.3f  %6.3f  %9.2e  %7.1f%n", e.epoch(), l.get(0),
                l.get(1), l.get(2), l.get(3), e.total(), e.ap(), e.ap50(), e.ap75(), e.lr(), e.seconds());
    }

    /** A checkpoint to resume from holds the optimizer and schedule; best.safetensors the weights alone, as a classifier's does. */
    private void save(String name, int epoch, boolean resumable) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(s.metadata());
        meta.put(HISTORY_KEY, DetectionEpochStats.csv(history));
        Checkpoint.save(s.outDir().resolve(name), s.modelName(), s.model(), resumable ? s.optimizer() : null,
                resumable ? s.epochSchedule() : null, epoch, s.generator(), List.of(), meta);
    }

    private void writeCurves(TensorBoardWriter tb, DetectionEpochStats e) throws IOException {
        AtomicFiles.write(s.outDir().resolve("history.csv"), o -> o.write(DetectionEpochStats.csv(history).getBytes(StandardCharsets.UTF_8)));
        List<CurvePlot.Series> losses = new ArrayList<>();
        for (String name : DetectionEpochStats.LOSSES) {
            losses.add(series(name.substring("loss_".length()), h -> h.losses().get(name)));
            tb.scalar("loss/" + name, e.epoch(), e.losses().get(name));
        }
        losses.add(series("total", DetectionEpochStats::total));
        tb.scalar("loss/total", e.epoch(), e.total());
        tb.scalar("lr", e.epoch(), e.lr());
        List<CurvePlot.Panel> panels = new ArrayList<>(List.of(new CurvePlot.Panel("training losses", losses)));
        if (!Double.isNaN(e.ap50())) {
            panels.add(new CurvePlot.Panel("test AP", List.of(series("AP50", DetectionEpochStats::ap50),
                    series("AP75", DetectionEpochStats::ap75), series("AP", DetectionEpochStats::ap))));
            tb.scalar("test/AP", e.epoch(), e.ap());
            tb.scalar("test/AP50", e.epoch(), e.ap50());
            tb.scalar("test/AP75", e.epoch(), e.ap75());
        }
        CurvePlot.write(s.outDir().resolve("curves.png"), "epoch", panels);
    }

    private CurvePlot.Series series(String name, ToDoubleFunction<DetectionEpochStats> f) {
        return new CurvePlot.Series(name, history.stream().map(f::applyAsDouble).toList());
    }
}
