package dev.panamax.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The check behind each generated kernel file's source test. */
public final class GeneratedSource {
    private GeneratedSource() {}

    /**
     * Fails when the committed file at {@code relativePath} (from the java module) differs from {@code generated};
     * with {@code -Dpanamax.regenerate=true} it first writes {@code generated} there.
     */
    public static void assertCommitted(String relativePath, String generated, String sourceTest) throws IOException {
        Path path = Path.of(relativePath);
        if (Boolean.getBoolean("panamax.regenerate")) {
            Files.writeString(path, generated);
        }
        assertEquals(generated, Files.readString(path), path.getFileName() + " differs from its generator's output; regenerate it with "
                + "mvn -pl java test -Dtest=" + sourceTest + " -Dpanamax.regenerate=true");
    }
}
