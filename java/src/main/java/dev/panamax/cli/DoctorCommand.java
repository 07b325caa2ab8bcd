package dev.panamax.cli;

import dev.panamax.data.DataLoader;
import dev.panamax.data.datasets.FashionMnist;
import dev.panamax.data.datasets.MnistData;
import dev.panamax.nn.Module;
import dev.panamax.ops.Loss;
import dev.panamax.optim.Adam;
import dev.panamax.tensor.Generator;
import dev.panamax.train.Doctor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code panamax doctor}: the training doctor's checks on a model and Fashion-MNIST. */
final class DoctorCommand {
    static final String USAGE = """
            usage: panamax doctor [--model %s] [--lr LR] [--batch-size N] [--seed N] [--data DIR] [--out DIR]
              overfits one batch, prints per-layer gradient norms, dead ReLU units and activation statistics,
              and runs a learning-rate range test (plot in DIR/lr_range.png)
              defaults: lenet5, Adam lr 0.001, batch 128, seed 0, data as train's (standardised as train does), out runs/doctor
            """.formatted(String.join("|", ModelCatalog.names()));

    private DoctorCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = Args.parse("doctor", argv, Set.of("model", "lr", "batch-size", "seed", "data", "out"), Set.of());
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("doctor: unexpected argument '" + a.positional().get(0) + "'");
        }
        String modelName = a.choice("model", "lenet5", ModelCatalog.names());
        double lr = a.positiveDouble("lr", 1e-3);
        int batchSize = a.positiveInt("batch-size", 128);
        long seed = a.integer("seed", 0);
        Path data = a.flag("data") ? Path.of(a.string("data", "")) : null;
        Path plot = Path.of(a.string("out", "runs/doctor")).resolve("lr_range.png");
        Generator gen = new Generator(seed);
        try (MnistData raw = FashionMnist.loadOrSample(data);
             StandardizedMnist set = StandardizedMnist.of(raw);
             Module model = ModelCatalog.create(modelName, FashionMnist.CLASSES.size(), 1, 28, gen);
             DataLoader loader = DataLoader.builder(set.train()).batchSize(batchSize).shuffle(true).seed(seed).build()) {
            out.println("data: " + raw.description());
            out.println(set.description());
            out.println("model: " + modelName + ", " + model.parameterCount() + " parameters; optimizer Adam, lr " + lr);
            Doctor.Report report = Doctor.diagnose(model, Loss::crossEntropy,
                    (params, rate) -> Adam.builder().lr(rate).build(params), lr, loader, plot);
            Doctor.print(report, out);
            out.println("range test plot: " + plot);
        }
        return Main.OK;
    }
}
