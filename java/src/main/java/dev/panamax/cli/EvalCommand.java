package dev.panamax.cli;

import dev.panamax.data.DataLoader;
import dev.panamax.data.TensorDataset;
import dev.panamax.data.datasets.FashionMnist;
import dev.panamax.data.datasets.MnistData;
import dev.panamax.detection.DetectorCheckpoint;
import dev.panamax.nn.Module;
import dev.panamax.ops.Loss;
import dev.panamax.tensor.Generator;
import dev.panamax.train.Checkpoint;
import dev.panamax.train.Metrics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** {@code panamax eval CHECKPOINT}: loss, accuracy and top-5 accuracy of a checkpoint on the test split. */
final class EvalCommand {
    static final String USAGE = """
            usage: panamax eval CHECKPOINT [--data DIR] [--batch-size N]
              loss, accuracy and top-5 accuracy of a classifier's checkpoint (panamax train) on the test split,
              inputs standardised as in its training; defaults: data as train's, batch 1000
            """;

    private EvalCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = Args.parse("eval", argv, Set.of("data", "batch-size"), Set.of());
        Path checkpoint = TrainedModel.checkpointArgument("eval", a, 1);
        int batchSize = a.positiveInt("batch-size", 1000);
        Path data = a.flag("data") ? Path.of(a.string("data", "")) : null;
        try (TrainedModel m = TrainedModel.load("eval", checkpoint); MnistData raw = FashionMnist.loadOrSample(data);
             TensorDataset test = m.standardize(raw.test());
             DataLoader loader = DataLoader.builder(test).batchSize(batchSize).build()) {
            out.println("data: " + raw.description());
            Metrics.Result r = Metrics.evaluate(m.model(), loader, Loss::crossEntropy, 5);
            out.printf(Locale.ROOT, "%s (epoch %d) on %d test images: loss %.4f, accuracy %.2f%%, top-5 %.2f%%%n",
                    m.name(), m.epoch(), r.examples(), r.loss(), 100 * r.accuracy(), 100 * r.topK());
        }
        return Main.OK;
    }

    /** A model rebuilt from a checkpoint, with the input standardisation it was trained with. */
    record TrainedModel(String name, Module model, int epoch, double mean, double std) implements AutoCloseable {
        static Path checkpointArgument(String command, Args a, int expected) {
            if (a.positional().size() != expected) {
                throw new Args.UsageException(command + ": expected " + (expected == 1 ? "CHECKPOINT" : "CHECKPOINT IMAGE")
                        + ", got " + a.positional().size() + " argument(s)");
            }
            Path p = Path.of(a.positional().get(0));
            if (!Files.isRegularFile(p)) {
                throw new Args.UsageException(command + ": checkpoint " + p + " does not exist");
            }
            return p;
        }

        static TrainedModel load(String command, Path checkpoint) throws Exception {
            String name = Checkpoint.modelName(checkpoint);
            if (!ModelCatalog.names().contains(name)) {
                throw new Args.UsageException(command + ": " + checkpoint + " holds a " + name + ", not one of the classifiers "
                        + String.join(", ", ModelCatalog.names())
                        + (DetectorCheckpoint.isDetector(checkpoint) ? "; panamax predict shows what this detector finds in an image" : ""));
            }
            Module model = ModelCatalog.create(name, FashionMnist.CLASSES.size(), 1, 28, new Generator(0));
            Checkpoint.Resumed r = Checkpoint.load(checkpoint, model, null, null, null);
            double mean = Double.parseDouble(r.metadata().getOrDefault(Inputs.MEAN_KEY, "0"));
            double std = Double.parseDouble(r.metadata().getOrDefault(Inputs.STD_KEY, "1"));
            return new TrainedModel(name, model, r.epoch(), mean, std);
        }

        TensorDataset standardize(TensorDataset d) {
            return Inputs.standardize(d, mean, std);
        }

        @Override
        public void close() {
            model.close();
        }
    }
}
