package dev.panamax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.panamax.data.datasets.FashionMnist;
import dev.panamax.data.datasets.MnistData;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job end to end on the embedded sample: train, eval, predict, and the usage errors. */
class TrainCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    /** Two epochs of LeNet-5 on the 5,000-image sample reach at least 75 % on its 1,000 test images. */
    @Test
    void trainsOnTheSampleThenEvaluatesAndPredicts() throws IOException {
        Path sample = FashionMnist.findSample();
        Path runDir = dir.resolve("run");
        assertEquals(Main.OK, cli.run("train", "--data", sample.toString(), "--epochs", "2", "--batch-size", "64", "--out", runDir.toString()),
                () -> cli.stdout() + cli.stderr());
        String log = cli.stdout();
        assertTrue(log.contains("5000 training and 1000 test images"), log);
        Matcher m = Pattern.compile("test accuracy ([0-9.]+)%").matcher(log);
        assertTrue(m.find(), log);
        double accuracy = Double.parseDouble(m.group(1));
        assertTrue(accuracy >= 75, "test accuracy " + accuracy + "% on the sample after 2 epochs\n" + log);
        assertTrue(Files.size(runDir.resolve("curves.png")) > 0 && Files.size(runDir.resolve("last.safetensors")) > 0);

        assertEquals(Main.OK, cli.run("eval", runDir.resolve("last.safetensors").toString(), "--data", sample.toString()));
        Matcher e = Pattern.compile("accuracy ([0-9.]+)%").matcher(cli.stdout());
        assertTrue(e.find(), cli.stdout());
        assertEquals(accuracy, Double.parseDouble(e.group(1)), 1e-9, "eval reproduces the training run's figure");

        Path png = dir.resolve("item.png");
        int label;
        try (MnistData data = FashionMnist.load(sample); Tensor first = data.test().inputs().select(0, 0)) {
            float[] pixels = first.toFloatArray();
            label = (int) data.test().labels().get(0);
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int i = 0; i < 784; i++) {
                int v = Math.round(pixels[i] * 255);
                img.setRGB(i % 28, i / 28, v << 16 | v << 8 | v);
            }
            ImageIO.write(img, "png", png.toFile());
        }
        assertEquals(Main.OK, cli.run("predict", runDir.resolve("last.safetensors").toString(), png.toString()));
        String prediction = cli.stdout();
        assertTrue(prediction.contains("1. ") && prediction.contains("5. ") && prediction.contains("%"), prediction);
        assertTrue(prediction.contains(FashionMnist.CLASSES.get(label)), "the true class is among the top 5\n" + prediction);
    }

    @Test
    void usageErrorsAreOneLineAndExitWithTwo() {
        assertEquals(Main.USAGE, cli.run("train", "--epochs", "0"));
        assertTrue(cli.stderr().startsWith("panamax train: --epochs must be a positive integer, got '0'"));
        assertEquals(Main.USAGE, cli.run("train", "--colour", "red"));
        assertTrue(cli.stderr().contains("unknown option --colour"));
        assertEquals(Main.USAGE, cli.run("train", "--model", "gpt5"));
        assertTrue(cli.stderr().contains("--model must be one of"));
        assertEquals(Main.USAGE, cli.run("train", "--lr"));
        assertEquals(Main.USAGE, cli.run("train", "--workers", "-1"));
        assertTrue(cli.stderr().startsWith("panamax train: --workers must be an integer >= 0, got '-1'"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("train", "--device", "gpu"));
        assertTrue(cli.stderr().startsWith("panamax train: --device must be cpu, cuda, cuda:N or auto, got 'gpu'"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("eval"));
        assertEquals(Main.USAGE, cli.run("eval", dir.resolve("missing.safetensors").toString()));
        assertTrue(cli.stderr().contains("does not exist"));
        assertEquals(Main.USAGE, cli.run("predict", "only-one-argument"));
        assertEquals(Main.OK, cli.run("train", "--help"));
        assertTrue(cli.stdout().contains("usage: panamax train"));
    }

    @Test
    void aMissingDeviceIsAFailureWithTheReason() {
        assumeFalse(Device.whyNotCuda().isEmpty(), "CUDA is usable here");
        assertEquals(Main.FAILED, cli.run("train", "--device", "cuda", "--epochs", "1", "--out", dir.resolve("run").toString()));
        String message = cli.stderr();
        assertTrue(message.startsWith("panamax train: --device cuda:0 is not usable: " + Device.whyNotCuda()), message);
        assertFalse(Files.exists(dir.resolve("run")), "nothing was started");
    }

    @Test
    void deviceAutoTrainsOnTheBestDevice() throws IOException {
        Path sample = FashionMnist.findSample();
        assertEquals(Main.OK, cli.run("train", "--device", "auto", "--model", "logistic", "--data", sample.toString(), "--epochs", "1",
                "--out", dir.resolve("run").toString()), () -> cli.stdout() + cli.stderr());
        assertTrue(cli.stdout().contains("model: logistic on " + Device.best() + ", "), cli.stdout());
    }
}
