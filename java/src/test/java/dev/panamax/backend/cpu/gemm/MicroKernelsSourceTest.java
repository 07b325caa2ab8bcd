package dev.panamax.backend.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the committed MicroKernels.java equal to what MicroKernelGenerator writes. */
class MicroKernelsSourceTest {
    @Test
    void committedSourceMatchesGenerator() throws IOException {
        Path path = Path.of(MicroKernelGenerator.RELATIVE_PATH);
        String generated = MicroKernelGenerator.source();
        if (Boolean.getBoolean("panamax.regenerate")) {
            Files.writeString(path, generated);
        }
        assertEquals(generated, Files.readString(path),
                "MicroKernels.java differs from MicroKernelGenerator's output; regenerate it with "
                        + "mvn -pl java test -Dtest=MicroKernelsSourceTest -Dpanamax.regenerate=true");
    }
}
