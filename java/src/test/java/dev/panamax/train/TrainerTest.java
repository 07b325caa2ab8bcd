package dev.panamax.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.data.DataLoader;
import dev.panamax.data.TensorDataset;
import dev.panamax.nn.Activation;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.Loss;
import dev.panamax.optim.SGD;
import dev.panamax.optim.schedule.StepLR;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.testing.Leaks;
import dev.panamax.tensor.Tensor;
import java.awt.HeadlessException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TrainerTest {
    @TempDir
    Path dir;

    /** Two Gaussian blobs per class, 3 classes in 4 dims: learnable in a few epochs. */
    private static TensorDataset blobs(long seed, int n) {
        Generator g = new Generator(seed);
        try (Scope s = Scope.open()) {
            Tensor labels = Tensor.randint(g, 0, 3, n);
            Tensor centers = Tensor.of(new float[] {2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 2}, 3, 4);
            Tensor x = centers.indexSelect(0, labels).add(Tensor.randn(g, n, 4).mul(0.5));
            return new TensorDataset(x, labels); // the dataset keeps its own views
        }
    }

    private record Run(Sequential model, SGD optimizer, StepLR schedule, Trainer trainer, DataLoader train, DataLoader val) {}

    private Run run(int epochs, Path out, Path resume, ByteArrayOutputStream log) {
        return run(epochs, out, resume, log, b -> b);
    }

    /** A run with further settings on the builder. */
    private Run run(int epochs, Path out, Path resume, ByteArrayOutputStream log, UnaryOperator<Trainer.Builder> settings) {
        Generator g = new Generator(1);
        Sequential model = new Sequential(new Linear(4, 16, true, g), Activation.relu(), new Linear(16, 3, true, g));
        SGD sgd = SGD.builder().lr(0.1).momentum(0.9).build(model.parameters());
        StepLR schedule = new StepLR(sgd, 2, 0.5);
        DataLoader train = DataLoader.builder(blobs(7, 256)).batchSize(32).shuffle(true).seed(3).build();
        DataLoader val = DataLoader.builder(blobs(8, 128)).batchSize(64).build();
        Trainer t = settings.apply(Trainer.builder().model("mlp", model).optimizer(sgd).loss(Loss::crossEntropy).data(train, val)
                .epochs(epochs).epochScheduler(schedule).topK(2).outDir(out).resumeFrom(resume).generator(g)
                .output(new PrintStream(log, true, StandardCharsets.UTF_8), false)).build();
        return new Run(model, sgd, schedule, t, train, val);
    }

    private static void close(Run r) {
        r.model().close();
        r.optimizer().close();
        for (DataLoader loader : new DataLoader[] {r.train(), r.val()}) {
            loader.close();
            ((TensorDataset) loader.dataset()).close();
        }
    }

    @Test
    void learnsWritesCurvesAndCheckpointsAndLeaksNothing() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MemoryStats before = Leaks.baseline();
        Run r = run(4, dir, null, log);
        List<EpochStats> h = r.trainer().fit();
        assertEquals(4, h.size());
        assertTrue(h.get(3).valAccuracy() > 0.9, "validation accuracy " + h.get(3).valAccuracy());
        assertTrue(h.get(3).trainLoss() < h.get(0).trainLoss());
        assertEquals(0.05, h.get(3).lr(), 1e-12, "epochs 3 and 4 train at 0.1 · 0.5 under StepLR(2, 0.5)");
        for (String f : new String[] {"history.csv", "curves.png", "last.safetensors", "best.safetensors"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        try (var tb = Files.list(dir.resolve("tensorboard"))) {
            assertEquals(1, tb.count());
        }
        assertEquals(5, Files.readAllLines(dir.resolve("history.csv")).size());
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("epoch 4/4") && printed.contains("val_acc"), printed);
        close(r);
        Leaks.assertNoneSince(before, "a run of 4 epochs, closed");
    }

    /** Early stopping keeps a copy of the best epoch's weights and restores it; the copies are freed. */
    @Test
    void restoringTheBestWeightsLeaksNothing() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MemoryStats before = Leaks.baseline();
        Run r = run(3, dir, null, log, b -> b.earlyStopping(5, true));
        r.trainer().fit();
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("restored the weights of the best epoch"), printed);
        close(r);
        Leaks.assertNoneSince(before, "a run of 3 epochs with early stopping, closed");
    }

    /** What a JVM that cannot draw throws: no java.desktop module, no native AWT or fonts, headless refusals. */
    static Stream<Throwable> drawingFailures() {
        return Stream.of(new NoClassDefFoundError("java/awt/Color"), new InternalError("java.lang.reflect.InvocationTargetException"),
                new HeadlessException());
    }

    /** Without curves.png the run goes on: one note naming the failure, one attempt, the other curves written every epoch. */
    @ParameterizedTest
    @MethodSource("drawingFailures")
    void aJvmThatCannotDrawSaysSoOnceAndTrainsOn(Throwable failure) throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AtomicInteger attempts = new AtomicInteger();
        Run r = run(3, dir, null, log, b -> b.plotter((png, xLabel, panels) -> {
            attempts.incrementAndGet();
            if (failure instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) failure;
        }));
        assertEquals(3, r.trainer().fit().size());
        close(r);
        String printed = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, attempts.get(), "after the first failure it stops trying");
        assertEquals(1, printed.split("curves.png not written", -1).length - 1, printed);
        assertTrue(printed.contains(failure.toString()), printed);
        assertFalse(Files.exists(dir.resolve("curves.png")));
        assertEquals(4, Files.readAllLines(dir.resolve("history.csv")).size(), "history.csv has every epoch");
        assertTrue(Files.exists(dir.resolve("last.safetensors")));
    }

    /** Resuming from the checkpoint of epoch 2 continues exactly as the uninterrupted run. */
    @Test
    void resumeIsBitIdenticalToAnUninterruptedRun() throws IOException {
        Run full = run(4, dir.resolve("full"), null, new ByteArrayOutputStream());
        full.trainer().fit();
        float[] expected = full.model().parameters().get(0).toFloatArray();
        close(full);

        Run half = run(2, dir.resolve("half"), null, new ByteArrayOutputStream());
        half.trainer().fit();
        close(half);
        Run resumed = run(4, dir.resolve("resumed"), dir.resolve("half/last.safetensors"), new ByteArrayOutputStream());
        List<EpochStats> h = resumed.trainer().fit();
        assertEquals(4, h.size(), "the table continues from the checkpoint's");
        assertArrayEquals(expected, resumed.model().parameters().get(0).toFloatArray());
        close(resumed);
    }

    /** best.safetensors keeps weights only: resuming from it is refused up front, naming the file to resume from. */
    @Test
    void resumingFromBestSaysToUseLast() throws IOException {
        Run first = run(1, dir.resolve("first"), null, new ByteArrayOutputStream());
        first.trainer().fit();
        close(first);
        Path best = dir.resolve("first/best.safetensors");
        Run again = run(2, dir.resolve("again"), best, new ByteArrayOutputStream());
        float[] initial = again.model().parameters().get(0).toFloatArray();
        IOException e = assertThrows(IOException.class, () -> again.trainer().fit());
        assertEquals(best + " holds weights without optimizer state, as best.safetensors does: resume from last.safetensors", e.getMessage());
        assertArrayEquals(initial, again.model().parameters().get(0).toFloatArray(), "the model is left as it was");
        close(again);
    }

    @Test
    void checkpointLoadsIntoAFreshModel() throws IOException {
        Run r = run(1, dir, null, new ByteArrayOutputStream());
        r.trainer().fit();
        Generator g = new Generator(99);
        Sequential fresh = new Sequential(new Linear(4, 16, true, g), Activation.relu(), new Linear(16, 3, true, g));
        Checkpoint.Resumed info = Checkpoint.load(dir.resolve("last.safetensors"), fresh, null, null, null);
        assertEquals("mlp", info.modelName());
        assertEquals(1, info.epoch());
        assertArrayEquals(r.model().parameters().get(2).toFloatArray(), fresh.parameters().get(2).toFloatArray());
        fresh.close();
        close(r);
    }
}
