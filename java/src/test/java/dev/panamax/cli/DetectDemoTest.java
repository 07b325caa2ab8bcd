package dev.panamax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.data.datasets.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code panamax demo detect} at CI size (small scenes, two epochs, the second one resumed from the
 * first's checkpoint), {@code panamax predict} on its checkpoint and on a classifier's, and the
 * usage errors.
 */
class DetectDemoTest {
    /**
     * AP50 on the 32 test scenes after two epochs must reach this. Measured on the build machine
     * (2-core AMD EPYC, 2026-11-28): 0.005 after epoch 1, 0.100 after epoch 2; the floor leaves
     * half of that as margin for other thread counts' rounding.
     */
    private static final double AP50_FLOOR = 0.05;
    /** 120 scenes of 64×64 (about 75 CPU-seconds for both epochs): enough for the detector to start naming items. */
    private static final String[] CI_SIZE = {"--train-scenes", "120", "--test-scenes", "32", "--image-size", "64", "--seed", "0"};

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    /** {@code demo detect} at CI size with more options. */
    private static String[] detectAtCiSize(String... more) {
        return Stream.of(Stream.of("demo", "detect"), Arrays.stream(CI_SIZE), Arrays.stream(more)).flatMap(s -> s).toArray(String[]::new);
    }

    /** The loss falls from epoch 1 to epoch 2, AP50 ends above the floor, and predict draws what the checkpoint finds. */
    @Test
    void trainsResumesAndPredicts() throws IOException {
        Path runDir = dir.resolve("run");
        String sample = FashionMnist.findSample().toString();
        assertEquals(Main.OK, cli.run(detectAtCiSize("--epochs", "1", "--data", sample, "--out", runDir.toString())),
                cli::output);
        assertTrue(Files.size(runDir.resolve("last.safetensors")) > 0, cli.stdout());
        assertEquals(Main.USAGE, cli.run(detectAtCiSize("--roi", "pool", "--resume", runDir.resolve("last.safetensors").toString())));
        assertTrue(cli.stderr().contains("was trained with --roi align --image-size 64; resume it with the same"), cli.stderr());
        Path resumed = dir.resolve("resumed");
        assertEquals(Main.OK, cli.run(detectAtCiSize("--epochs", "2", "--data", sample, "--out", resumed.toString(),
                "--resume", runDir.resolve("last.safetensors").toString())), cli::output);
        String log = cli.stdout();
        assertTrue(log.contains("resumed from " + runDir.resolve("last.safetensors") + " after epoch 1"), log);

        List<String> history = Files.readAllLines(resumed.resolve("history.csv"));
        assertEquals(3, history.size(), "header and epochs 1 (from the checkpoint) and 2\n" + history);
        double[] first = numbers(history.get(1));
        double[] second = numbers(history.get(2));
        int total = List.of(history.get(0).split(",")).indexOf("loss_total");
        int ap50 = List.of(history.get(0).split(",")).indexOf("AP50");
        assertTrue(second[total] < first[total], "the total loss falls: " + first[total] + " -> " + second[total]);
        assertTrue(second[ap50] > first[ap50] && second[ap50] >= AP50_FLOOR, "AP50 rises: " + first[ap50] + " -> " + second[ap50]
                + ", and must reach " + AP50_FLOOR + "\n" + log);
        Matcher table = Pattern.compile("AP50 ([0-9.]+)").matcher(log);
        assertTrue(table.find() && Math.abs(Double.parseDouble(table.group(1)) - second[ap50]) < 1e-3, log);
        assertTrue(log.contains("Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]"), log);
        for (String file : List.of("curves.png", "test-detections.png", "test-scene.png", "best.safetensors")) {
            assertTrue(Files.size(resumed.resolve(file)) > 0, file);
        }
        assertTrue(Files.list(resumed.resolve("tensorboard")).findAny().isPresent());

        Path scene = resumed.resolve("test-scene.png");
        Path drawn = dir.resolve("drawn.png");
        assertEquals(Main.OK, cli.run("predict", resumed.resolve("last.safetensors").toString(), scene.toString(), "--out", drawn.toString()),
                cli::output);
        assertTrue(cli.stdout().contains("(fasterrcnn_resnet18_fpn, epoch 2)") && cli.stdout().contains("drawn: " + drawn), cli.stdout());
        assertEquals(64 * 2 + 2 * 4, ImageIO.read(drawn.toFile()).getWidth(), "the scene at twice its size, with the plot's margins");
        // best.safetensors holds the weights alone (last's SGD momentum buffers double its size), and predict reads it
        long best = Files.size(resumed.resolve("best.safetensors"));
        long last = Files.size(resumed.resolve("last.safetensors"));
        assertTrue(best < 0.6 * last, "best " + best + " bytes, last " + last);
        assertEquals(Main.OK, cli.run("predict", resumed.resolve("best.safetensors").toString(), scene.toString()), cli::output);
        assertTrue(Files.size(resumed.resolve("test-scene-detections.png")) > 0, cli.stdout());
        assertEquals(Main.USAGE, cli.run("eval", resumed.resolve("last.safetensors").toString()));
        assertTrue(cli.stderr().startsWith("panamax eval: " + resumed.resolve("last.safetensors") + " holds a fasterrcnn_resnet18_fpn,"
                + " not one of the classifiers lenet5, logistic; panamax predict shows what this detector finds"), cli.stderr());

        Path classifier = dir.resolve("classifier");
        assertEquals(Main.OK, cli.run("train", "--model", "logistic", "--epochs", "1", "--data", sample, "--out", classifier.toString()),
                cli::output);
        assertEquals(Main.OK, cli.run("predict", classifier.resolve("last.safetensors").toString(), scene.toString()), cli::output);
        assertTrue(cli.stdout().contains("(logistic, epoch 1)") && cli.stdout().contains("  1. "), cli.stdout());
        assertEquals(Main.USAGE, cli.run("predict", classifier.resolve("last.safetensors").toString(), scene.toString(), "--out", "x.png"));
        assertTrue(cli.stderr().contains("--out and --min-score are for a detector's checkpoint"), cli.stderr());
    }

    @Test
    void badArgumentsAreUsageErrorsThatSayWhat() {
        assertEquals(Main.USAGE, cli.run("demo", "detect", "--roi", "foo"));
        assertTrue(cli.stderr().startsWith("panamax demo detect: --roi must be one of align, pool, got 'foo'"), cli.stderr());
        assertTrue(cli.stderr().contains("usage: panamax demo detect"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("demo", "detect", "--epochs", "-1"));
        assertTrue(cli.stderr().startsWith("panamax demo detect: --epochs must be a positive integer, got '-1'"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("demo", "detect", "--image-size", "16"));
        assertTrue(cli.stderr().startsWith("panamax demo detect: --image-size must be at least 32, got 16"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("demo", "detect", "extra"));
        assertTrue(cli.stderr().startsWith("panamax demo detect: unexpected argument 'extra'"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("demo", "detect", "--device", "cuda:x"));
        assertTrue(cli.stderr().startsWith("panamax demo detect: --device must be cpu, cuda, cuda:N or auto, got 'cuda:x'"), cli.stderr());
        assertEquals(Main.OK, cli.run("demo", "detect", "--help"));
        assertTrue(cli.stdout().startsWith("usage: panamax demo detect") && cli.stdout().contains("--roi align|pool"), cli.stdout());
        assertEquals(Main.OK, cli.run("demo", "--help"));
        assertTrue(cli.stdout().contains("detect "), cli.stdout());
    }

    private static double[] numbers(String csvLine) {
        return Arrays.stream(csvLine.split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
