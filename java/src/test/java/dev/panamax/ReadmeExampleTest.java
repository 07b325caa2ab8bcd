package dev.panamax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java example of README.md: the README shows this code line for line, and it runs as the README says. */
class ReadmeExampleTest {
    private static final String SELF = "java/src/test/java/dev/panamax/ReadmeExampleTest.java";
    private static final String BEGIN = "// --- README example";
    private static final String END = "// --- end of README example";

    @Test
    void readmeExamplePrintsTheLossAndTheGradient() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            // --- README example (README.md shows the lines up to the end mark; readmeShowsThisCode checks it) ---
            try (Scope scope = Scope.open()) {                             // frees every tensor made inside
                Generator gen = new Generator(42);
                Tensor x = Tensor.randn(gen, 64, 3);                       // a batch of inputs
                Tensor w = Tensor.randn(gen, 3, 1).requiresGrad(true);     // parameters
                Tensor b = Tensor.zeros(1).requiresGrad(true);
                Tensor y = x.matmul(Tensor.of(new float[] {2, -1, 0.5f}, 3, 1)).add(1);

                Tensor loss = x.matmul(w).add(b).sub(y).pow(2).mean();    // forward
                loss.backward();                                           // reverse-mode autodiff

                System.out.println(loss.item());                           // a number
                System.out.println(w.grad());                              // tensor([[...]]) of shape [3, 1]
            }
            // --- end of README example ---
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        double loss = Double.parseDouble(lines.get(0));
        assertTrue(loss > 0 && Double.isFinite(loss), lines.get(0));
        String grad = String.join("\n", lines.subList(1, lines.size()));
        assertTrue(grad.startsWith("tensor([[") && grad.endsWith("]])") && grad.split("\\],").length == 3, grad);
    }

    /** The README's java block is the marked code above, whitespace aside. */
    @Test
    void readmeShowsThisCode() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve(SELF))) {
            root = root.getParent();
            assertTrue(root != null, "no parent of the working directory holds " + SELF);
        }
        List<String> readme = between(Files.readAllLines(root.resolve("README.md")), "```java", "```");
        List<String> test = between(Files.readAllLines(root.resolve(SELF)), BEGIN, END);
        assertFalse(readme.isEmpty(), "README.md has a java block");
        assertEquals(test, readme, "README.md's java block differs from " + SELF);
    }

    /** The lines after the first that starts with {@code begin} up to the next that starts with {@code end}, trimmed, runs of spaces as one. */
    private static List<String> between(List<String> lines, String begin, String end) {
        List<String> trimmed = lines.stream().map(s -> s.strip().replaceAll("\\s+", " ")).toList();
        int from = 0;
        while (from < trimmed.size() && !trimmed.get(from).startsWith(begin)) {
            from++;
        }
        int to = from + 1;
        while (to < trimmed.size() && !trimmed.get(to).startsWith(end)) {
            to++;
        }
        return from >= trimmed.size() ? List.of() : trimmed.subList(from + 1, Math.min(to, trimmed.size()));
    }
}
