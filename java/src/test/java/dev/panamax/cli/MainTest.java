package dev.panamax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void infoDescribesTheEnvironmentAndWhyCudaIsMissing() {
        assertEquals(Main.OK, run("info"));
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("vector species") && s.contains("float lanes"), s);
        assertTrue(s.contains("cpu threads"), s);
        boolean cuda = dev.panamax.tensor.Device.whyNotCuda().isEmpty();
        assertTrue(s.contains("backend cuda") && (cuda || s.contains("not available:")), s);
        assertTrue(s.contains("java") && s.contains("25"), s);
    }

    @Test
    void unknownCommandsAndBadOptionsAreUsageErrors() {
        assertEquals(Main.USAGE, run("frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'frobnicate'"));
        assertEquals(Main.USAGE, run("--threads", "zero", "info"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--threads needs a positive integer"));
        assertEquals(Main.USAGE, run("--threads", "1", "bench"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("panamax: bench is a command of the ./panamax launcher and must come first"));
        assertEquals(Main.USAGE, run("info", "extra"));
        assertEquals(Main.USAGE, run());
    }

    @Test
    void helpSucceeds() {
        assertEquals(Main.OK, run("help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: panamax"));
    }

    @Test
    void infoHasAHelpOfItsOwn() {
        assertEquals(Main.OK, run("info", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: panamax info\n"), out.toString(StandardCharsets.UTF_8));
        assertEquals(Main.USAGE, run("info", "extra"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unexpected argument 'extra'\nusage: panamax info"));
    }
}
