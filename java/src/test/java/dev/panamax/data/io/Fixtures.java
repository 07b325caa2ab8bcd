package dev.panamax.data.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** The files {@code make-fixtures.py} wrote with numpy and safetensors, and assertion helpers. */
final class Fixtures {
    private Fixtures() {}

    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/dev/panamax/data/io/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String name) throws IOException {
        return Files.readAllBytes(path(name));
    }

    /** Asserts a {@link MalformedFileException} whose message names the file and contains {@code problem}. */
    static MalformedFileException assertMalformed(Path file, String problem, Executable read) {
        MalformedFileException e = assertThrows(MalformedFileException.class, read);
        assertTrue(e.getMessage().contains(file.toString()), "message should name " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message should say '" + problem + "': " + e.getMessage());
        return e;
    }
}
