package dev.panamax.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the committed ConvMicroKernels.java equal to what ConvMicroKernelGenerator writes. */
class ConvMicroKernelsSourceTest {
    @Test
    void committedSourceMatchesGenerator() throws IOException {
        Path path = Path.of(ConvMicroKernelGenerator.RELATIVE_PATH);
        String generated = ConvMicroKernelGenerator.source();
        if (Boolean.getBoolean("panamax.regenerate")) {
            Files.writeString(path, generated);
        }
        assertEquals(generated, Files.readString(path),
                "ConvMicroKernels.java differs from ConvMicroKernelGenerator's output; regenerate it with "
                        + "mvn -pl java test -Dtest=ConvMicroKernelsSourceTest -Dpanamax.regenerate=true");
    }
}
