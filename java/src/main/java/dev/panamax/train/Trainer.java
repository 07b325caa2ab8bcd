package dev.panamax.train;

import dev.panamax.data.Batch;
import dev.panamax.data.DataLoader;
import dev.panamax.nn.Module;
import dev.panamax.optim.GradClipping;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.schedule.LRScheduler;
import dev.panamax.optim.schedule.ReduceLROnPlateau;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The training loop ({@code fit}): epochs of optimizer steps with a progress bar, validation
 * metrics after each epoch, learning-rate schedules, gradient clipping, early stopping with
 * restoration of the best weights, atomic checkpoints to resume from, and curves written as
 * CSV, PNG and TensorBoard events.
 */
public final class Trainer {
    private final Builder b;
    private final List<EpochStats> history = new ArrayList<>();
    /** Why curves.png could not be drawn, once it could not (null while it can). */
    private String plotFailure;

    private Trainer(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Draws panels into a PNG file, as {@link CurvePlot#write}. */
    @FunctionalInterface
    interface Plotter {
        void write(Path png, String xLabel, List<CurvePlot.Panel> panels) throws IOException;
    }

    /** The settings of a run; model, optimizer, loss and training data are required. */
    public static final class Builder {
        private Module model;
        private String modelName = "model";
        private Optimizer optimizer;
        private BiFunction<Tensor, Tensor, Tensor> loss;
        private DataLoader train;
        private DataLoader validation;
        private int epochs = 1;
        private LRScheduler stepScheduler;
        private LRScheduler epochScheduler;
        private ReduceLROnPlateau plateau;
        private double clipNorm;
        private int patience;
        private boolean restoreBest = true;
        private int topK = 5;
        private Path outDir;
        private Path resumeFrom;
        private Generator generator = Generator.global();
        private Map<String, String> metadata = Map.of();
        private PrintStream out = System.out;
        private boolean terminal = ProgressBar.stdoutIsTerminal();
        private Plotter plotter = CurvePlot::write;

        public Builder model(String name, Module model) {
            this.modelName = name;
            this.model = model;
            return this;
        }

        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** loss(logits, labels), e.g. {@code Loss::crossEntropy}. */
        public Builder loss(BiFunction<Tensor, Tensor, Tensor> loss) {
            this.loss = loss;
            return this;
        }

        public Builder data(DataLoader train, DataLoader validation) {
            this.train = train;
            this.validation = validation;
            return this;
        }

        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** A schedule stepped after every optimizer step (one-cycle, warm-up). */
        public Builder stepScheduler(LRScheduler s) {
            this.stepScheduler = s;
            return this;
        }

        /** A schedule stepped after every epoch (step, cosine, exponential). */
        public Builder epochScheduler(LRScheduler s) {
            this.epochScheduler = s;
            return this;
        }

        /** Reduce-on-plateau, fed the validation loss after every epoch. */
        public Builder plateau(ReduceLROnPlateau s) {
            this.plateau = s;
            return this;
        }

        /** Clip the gradients' global L2 norm to this value (0: off). */
        public Builder clipGradNorm(double maxNorm) {
            this.clipNorm = maxNorm;
            return this;
        }

        /** Stop after {@code patience} epochs without a better validation loss (0: never). */
        public Builder earlyStopping(int patience, boolean restoreBestWeights) {
            this.patience = patience;
            this.restoreBest = restoreBestWeights;
            return this;
        }

        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        /** Where checkpoints and curves go (null: nowhere). */
        public Builder outDir(Path dir) {
            this.outDir = dir;
            return this;
        }

        /** Continue the run saved in this checkpoint. */
        public Builder resumeFrom(Path checkpoint) {
            this.resumeFrom = checkpoint;
            return this;
        }

        /** Strings saved with every checkpoint (e.g. how inputs were normalised, for eval and predict). */
        public Builder checkpointMetadata(Map<String, String> metadata) {
            this.metadata = Map.copyOf(metadata);
            return this;
        }

        /** The generator whose state checkpoints save (the one the loaders and dropout draw from). */
        public Builder generator(Generator g) {
            this.generator = g;
            return this;
        }

        public Builder output(PrintStream out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
            return this;
        }

        /** What draws curves.png: a test swaps in one that fails as a JVM that cannot draw does. */
        Builder plotter(Plotter plotter) {
            this.plotter = plotter;
            return this;
        }

        public Trainer build() {
            Objects.requireNonNull(model, "Trainer: model");
            Objects.requireNonNull(optimizer, "Trainer: optimizer");
            Objects.requireNonNull(loss, "Trainer: loss");
            Objects.requireNonNull(train, "Trainer: training data");
            return new Trainer(this);
        }
    }

    /** The per-epoch table so far. */
    public List<EpochStats> history() {
        return List.copyOf(history);
    }

    /** Runs the remaining epochs; returns the table. */
    public List<EpochStats> fit() throws IOException {
        int first = 1;
        if (b.resumeFrom != null) {
            Checkpoint.Resumed r = Checkpoint.load(b.resumeFrom, b.model, b.optimizer, schedulerToSave(), b.generator);
            history.addAll(r.history());
            first = r.epoch() + 1;
            b.out.println("resumed from " + b.resumeFrom + " after epoch " + r.epoch());
        }
        TensorBoardWriter tb = b.outDir == null ? null : new TensorBoardWriter(b.outDir.resolve("tensorboard"));
        Map<String, Tensor> best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int sinceBest = 0;
        try {
            printHeader();
            for (int epoch = first; epoch <= b.epochs; epoch++) {
                b.train.setEpoch(epoch - 1);
                EpochStats stats = runEpoch(epoch);
                history.add(stats);
                printRow(stats);
                writeCurves(tb, stats);
                if (b.epochScheduler != null) {
                    b.epochScheduler.step();
                }
                if (b.plateau != null && !Double.isNaN(stats.valLoss())) {
                    b.plateau.step(stats.valLoss());
                }
                if (b.outDir != null) {
                    Checkpoint.save(b.outDir.resolve("last.safetensors"), b.modelName, b.model, b.optimizer, schedulerToSave(),
                            epoch, b.generator, history, b.metadata);
                }
                double monitored = Double.isNaN(stats.valLoss()) ? stats.trainLoss() : stats.valLoss();
                if (monitored < bestLoss) {
                    bestLoss = monitored;
                    sinceBest = 0;
                    if (b.patience > 0 && b.restoreBest) {
                        best = replace(best, snapshot(b.model));
                    }
                    if (b.outDir != null) {
                        Checkpoint.save(b.outDir.resolve("best.safetensors"), b.modelName, b.model, null, null, epoch, b.generator, history,
                                b.metadata);
                    }
                } else if (b.patience > 0 && ++sinceBest >= b.patience) {
                    b.out.printf(Locale.ROOT, "early stopping: no better loss for %d epochs (best %.4f)%n", b.patience, bestLoss);
                    break;
                }
            }
            if (best != null) {
                b.model.loadStateDict(best, true);
                b.out.println("restored the weights of the best epoch");
            }
        } finally {
            replace(best, null);
            if (tb != null) {
                tb.close();
            }
        }
        return history();
    }

    private LRScheduler schedulerToSave() {
        return b.stepScheduler != null ? b.stepScheduler : b.epochScheduler;
    }

    private EpochStats runEpoch(int epoch) {
        long start = System.nanoTime();
        b.model.train();
        ProgressBar bar = new ProgressBar(b.out, b.terminal, String.format(Locale.ROOT, "epoch %d/%d", epoch, b.epochs), b.train.numBatches());
        List<Tensor> params = b.model.parameters();
        Device device = b.model.device();
        double lossSum = 0;
        long seen = 0;
        long correct = 0;
        long step = 0;
        try (DataLoader.Epoch batches = b.train.iterator()) {
            while (batches.hasNext()) {
                try (Batch batch = batches.next(); Scope s = Scope.open()) {
                    // the batch on the model's device: copies (aliases on the same device) the scope frees after the step
                    Tensor inputs = batch.inputs().to(device);
                    Tensor labels = batch.labels().to(device);
                    b.optimizer.zeroGrad();
                    Tensor logits = b.model.forward(inputs);
                    Tensor loss = b.loss.apply(logits, labels);
                    loss.backward();
                    if (b.clipNorm > 0) {
                        GradClipping.clipGradNorm(params, b.clipNorm);
                    }
                    b.optimizer.step();
                    if (b.stepScheduler != null) {
                        b.stepScheduler.step();
                    }
                    lossSum += loss.item() * batch.size();
                    correct += Metrics.correct(logits, labels, 1)[0];
                    seen += batch.size();
                }
                bar.update(++step, seen, lossSum / seen);
            }
        }
        double trainLoss = lossSum / Math.max(1, seen);
        double trainAcc = (double) correct / Math.max(1, seen);
        Metrics.Result val = b.validation == null ? null : Metrics.evaluate(b.model, b.validation, b.loss, b.topK);
        double lr = b.optimizer.paramGroups().get(0).lr();
        return new EpochStats(epoch, trainLoss, trainAcc, val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(),
                val == null ? Double.NaN : val.topK(), lr, (System.nanoTime() - start) / 1e9);
    }

    private void printHeader() {
        b.out.printf(Locale.ROOT, "%5s  %10s  %9s  %9s  %8s  %8s  %9s  %7s%n", "epoch", "train_loss", "train_acc", "val_loss", "val_acc",
                "top" + b.topK, "lr", "seconds");
    }

    private void printRow(EpochStats s) {
        b.out.printf(Locale.ROOT, "%5d  %10.4f  %8.2f%%  %9.4f  %7.2f%%  %7.2f%%  %9.2e  %7.1f%n", s.epoch(), s.trainLoss(), 100 * s.trainAccuracy(),
                s.valLoss(), 100 * s.valAccuracy(), 100 * s.topK(), s.lr(), s.seconds());
    }

    private void writeCurves(TensorBoardWriter tb, EpochStats s) {
        if (b.outDir == null) {
            return;
        }
        try {
            StringBuilder csv = new StringBuilder(EpochStats.CSV_HEADER).append('\n');
            history.forEach(h -> csv.append(h.csv()).append('\n'));
            AtomicFiles.write(b.outDir.resolve("history.csv"), o -> o.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            plotCurves();
            tb.scalar("loss/train", s.epoch(), s.trainLoss());
            tb.scalar("accuracy/train", s.epoch(), s.trainAccuracy());
            if (!Double.isNaN(s.valLoss())) {
                tb.scalar("loss/validation", s.epoch(), s.valLoss());
                tb.scalar("accuracy/validation", s.epoch(), s.valAccuracy());
            }
            tb.scalar("lr", s.epoch(), s.lr());
        } catch (IOException e) {
            throw new UncheckedIOException("writing the curves to " + b.outDir, e);
        }
    }

    /**
     * curves.png, unless this JVM cannot draw (a runtime without java.desktop, no fonts on a bare
     * server): then a note, once, and training goes on; history.csv and TensorBoard hold the same numbers.
     */
    private void plotCurves() throws IOException {
        if (plotFailure != null) {
            return;
        }
        try {
            b.plotter.write(b.outDir.resolve("curves.png"), "epoch", List.of(
                    new CurvePlot.Panel("loss", List.of(series("train", EpochStats::trainLoss), series("validation", EpochStats::valLoss))),
                    new CurvePlot.Panel("accuracy", List.of(series("train", EpochStats::trainAccuracy),
                            series("validation", EpochStats::valAccuracy)))));
        } catch (LinkageError | InternalError | RuntimeException e) {
            plotFailure = e.toString();
            b.out.println("curves.png not written (this JVM cannot draw: " + plotFailure + "); history.csv and TensorBoard have the curves");
        }
    }

    private CurvePlot.Series series(String name, java.util.function.ToDoubleFunction<EpochStats> f) {
        return new CurvePlot.Series(name, history.stream().map(f::applyAsDouble).toList());
    }

    /** Detached copies of the module's state, owned by the caller. */
    static Map<String, Tensor> snapshot(Module model) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> {
            try (Tensor detached = t.detach()) {
                copy.put(k, detached.contiguousCopy().unscoped());
            }
        });
        return copy;
    }

    private static Map<String, Tensor> replace(Map<String, Tensor> old, Map<String, Tensor> fresh) {
        if (old != null) {
            old.values().forEach(Tensor::close);
        }
        return fresh;
    }

    /** Creates {@code dir} and says where the outputs went, for the command line. */
    public static String describeOutputs(Path dir) throws IOException {
        Files.createDirectories(dir);
        return "curves: " + dir.resolve("history.csv") + ", " + dir.resolve("curves.png") + ", " + dir.resolve("tensorboard")
                + " (tensorboard --logdir " + dir.resolve("tensorboard") + ")\ncheckpoints: " + dir.resolve("last.safetensors")
                + ", " + dir.resolve("best.safetensors");
    }
}
