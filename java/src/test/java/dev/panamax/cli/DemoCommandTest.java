package dev.panamax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code panamax demo}: each demo's usage and argument errors, and small runs whose conclusions match their numbers. */
class DemoCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    @Test
    void helpNamesEveryDemoAndEachDemoHasItsOwn() {
        assertEquals(Main.OK, cli.run("demo", "--help"));
        String list = cli.stdout();
        assertTrue(list.contains("rnn-activation") && list.contains("long-range") && list.contains("charlm"), list);
        // the list's summary of long-range names the lengths and models long-range's own usage gives as its defaults
        assertEquals(Main.OK, cli.run("demo", "long-range", "--help"));
        Matcher defaults = Pattern.compile("defaults: lengths ([0-9,]+),").matcher(cli.stdout());
        assertTrue(defaults.find(), cli.stdout());
        assertTrue(list.contains("lengths " + defaults.group(1) + ": RNN, LSTM, GRU and self-attention"), list);
        for (String demo : new String[] {"rnn-activation", "long-range", "charlm"}) {
            assertEquals(Main.OK, cli.run("demo", demo, "--help"));
            assertTrue(cli.stdout().startsWith("usage: panamax demo " + demo), cli.stdout());
        }
        assertTrue(cli.stdout().contains("/usr/share/common-licenses/GPL-3") && cli.stdout().contains("base-files"), cli.stdout());
        assertEquals(Main.OK, cli.run("help"));
        assertTrue(cli.stdout().contains("demo NAME"), cli.stdout());
    }

    @Test
    void badArgumentsAreUsageErrorsThatSayWhat() {
        assertEquals(Main.USAGE, cli.run("demo"));
        assertTrue(cli.stderr().startsWith("panamax demo: which demo?"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("demo", "lstm-magic"));
        assertTrue(cli.stderr().contains("unknown demo 'lstm-magic'"), cli.stderr());

        assertEquals(Main.USAGE, cli.run("demo", "rnn-activation", "--hidden", "0"));
        assertTrue(cli.stderr().startsWith("panamax demo rnn-activation: --hidden must be a positive integer, got '0'"), cli.stderr());
        assertTrue(cli.stderr().contains("usage: panamax demo rnn-activation"), "the demo's own usage follows");
        assertEquals(Main.USAGE, cli.run("demo", "rnn-activation", "extra"));
        assertTrue(cli.stderr().contains("unexpected argument 'extra'"), cli.stderr());

        assertEquals(Main.USAGE, cli.run("demo", "long-range", "--lengths", "20,x"));
        assertTrue(cli.stderr().contains("--lengths must be integers separated by commas, got '20,x'"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("demo", "long-range", "--lengths", "1"));
        assertTrue(cli.stderr().contains("each length must be at least 2, got 1"), cli.stderr());
        assertEquals(Main.USAGE, cli.run("demo", "long-range", "--model", "transformer"));
        assertTrue(cli.stderr().contains("unknown option --model"), cli.stderr());

        assertEquals(Main.USAGE, cli.run("demo", "charlm", "--temperature", "-1"));
        assertTrue(cli.stderr().contains("--temperature must be a positive number, got '-1'"), cli.stderr());
        assertEquals(Main.FAILED, cli.run("demo", "charlm", "--text", dir.resolve("missing.txt").toString()));
        assertTrue(cli.stderr().contains("missing.txt not found"), cli.stderr());
    }

    /** The verdict line follows from the first and last rows of the printed table. */
    @Test
    void rnnActivationTableAndVerdictAgree() throws IOException {
        for (String gain : new String[] {"1", "3"}) {
            Path outDir = dir.resolve("gain" + gain);
            assertEquals(Main.OK, cli.run("demo", "rnn-activation", "--hidden", "16", "--steps", "40", "--gain", gain, "--out",
                    outDir.toString()), cli::stderr);
            String log = cli.stdout();
            assertTrue(Files.size(outDir.resolve("rnn_activation.png")) > 0);
            Matcher last = Pattern.compile("(?m)^ +40 +(\\S+) +(\\S+)$").matcher(log);
            Matcher first = Pattern.compile("(?m)^ +1 +(\\S+) +(\\S+)$").matcher(log);
            assertTrue(last.find() && first.find(), log);
            for (int col = 1; col <= 2; col++) {
                double ratio = Double.parseDouble(first.group(col)) / Double.parseDouble(last.group(col));
                String name = col == 1 ? "tanh" : "ReLU";
                String expected = ratio >= 1e3 ? "exploded" : ratio <= 1e-3 ? "(vanished|died)" : "kept its scale";
                assertTrue(Pattern.compile(name + " " + expected).matcher(log).find(), "ratio " + ratio + " for " + name + "\n" + log);
            }
            if (gain.equals("3")) {
                assertTrue(log.contains("ReLU exploded"), log);
            } else {
                assertTrue(log.contains("tanh vanished"), log);
            }
        }
    }

    @Test
    void fatesAreReadFromTheNumbers() {
        assertEquals(GradientThroughTime.Fate.EXPLODED, GradientThroughTime.fate(new double[] {1e5, 10, 1}));
        assertEquals(GradientThroughTime.Fate.EXPLODED, GradientThroughTime.fate(new double[] {Double.POSITIVE_INFINITY, 1}));
        assertEquals(GradientThroughTime.Fate.VANISHED, GradientThroughTime.fate(new double[] {1e-4, 0.1, 1}));
        assertEquals(GradientThroughTime.Fate.KEPT_SCALE, GradientThroughTime.fate(new double[] {0.5, 2, 1}));
        assertEquals(GradientThroughTime.Fate.DIED, GradientThroughTime.fate(new double[] {0, 0, 0.3, 1}), "a drop to 0 from a normal value");
        assertEquals(GradientThroughTime.Fate.VANISHED, GradientThroughTime.fate(new double[] {0, 1e-40, 1e-20, 1}), "float underflow");
        assertTrue(GradientThroughTime.verdict("ReLU", new double[] {0, 0, 0.3, 1}).contains("exactly 0 from step 2 back"));
    }

    /** Same steps, about the same parameter count: at length 15 the LSTM solves the adding problem and the plain RNN does not. */
    @Test
    void lstmBeatsThePlainRnnAtTheLongerLength() {
        SequenceModels.Entry rnn = SequenceModels.ALL.get(0);
        SequenceModels.Entry lstm = SequenceModels.ALL.get(1);
        assertEquals("RNN", rnn.name());
        assertEquals("LSTM", lstm.name());
        long seed = 2; // seeds 1, 2 and 3 all give LSTM <= 0.004 and RNN >= 0.157
        LongRangeDemo.Run r = LongRangeDemo.train(rnn, 15, 400, 64, 1e-2, 1, 200, seed);
        LongRangeDemo.Run l = LongRangeDemo.train(lstm, 15, 400, 64, 1e-2, 1, 200, seed);
        assertTrue(l.testMse() < 0.05, "LSTM test MSE " + l.testMse());
        assertTrue(r.testMse() > 0.1, "RNN test MSE " + r.testMse() + " (predicting 1.0 scores 0.167)");
    }

    @Test
    void longRangePrintsATablePerModelAndLengthAndACurvePlot() throws IOException {
        assertEquals(Main.OK, cli.run("demo", "long-range", "--lengths", "4,8", "--steps", "6", "--test", "16", "--out", dir.toString()),
                cli::stderr);
        String log = cli.stdout();
        assertTrue(log.contains("T=4") && log.contains("T=8"), log);
        for (String model : SequenceModels.names()) {
            assertTrue(Pattern.compile("(?m)^" + model + " +\\d+ +\\d+ +[0-9.]+ +[0-9.]+$").matcher(log).find(), model + "\n" + log);
        }
        assertTrue(log.contains("solved (test MSE < 0.05): RNN "), log);
        assertTrue(Files.size(dir.resolve("long_range.png")) > 0);
    }

    @Test
    void charlmTrainsAFewStepsAndSamples() throws IOException {
        Path text = dir.resolve("tiny.txt");
        Files.writeString(text, "the quick brown fox jumps over the lazy dog.\n".repeat(40));
        assertEquals(Main.OK, cli.run("demo", "charlm", "--text", text.toString(), "--steps", "6", "--every", "3", "--seq", "8", "--batch", "4",
                "--hidden", "16", "--embed", "8", "--sample-length", "30"), cli::stderr);
        String log = cli.stdout();
        assertTrue(log.contains("29 distinct"), log);
        Matcher loss = Pattern.compile("step 6: loss ([0-9.]+) nats/char").matcher(log);
        assertTrue(loss.find(), log);
        assertTrue(Double.parseDouble(loss.group(1)) < Math.log(29) + 0.5, "about the uniform loss or below\n" + log);
        Matcher sample = Pattern.compile("sample \\(temperature 0.8\\):\\n  \\| (.+)").matcher(log);
        assertTrue(sample.find(), log);
        assertTrue(sample.group(1).codePoints().allMatch(c -> "the quickbrownfxjmpsvlazydg.".indexOf(c) >= 0), sample.group(1));
    }

    @Test
    void charlmTooShortATextSaysSo() throws IOException {
        Path text = dir.resolve("short.txt");
        Files.writeString(text, "abc");
        assertEquals(Main.FAILED, cli.run("demo", "charlm", "--text", text.toString()));
        assertTrue(cli.stderr().contains("too short"), cli.stderr());
    }
}
