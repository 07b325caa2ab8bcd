package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.data.io.MalformedFileException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.function.Executable;

/** Tiny image files for the reader tests, and the malformed-file assertion. */
final class ImageFixtures {
    private ImageFixtures() {}

    /** A w×h RGB image whose pixel (x, y) is (x, y, 7) in 0..255, written as {@code format} ("png", "jpg"). */
    static Path writeImage(Path file, int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x << 16) | (y << 8) | 7);
            }
        }
        ImageIO.write(img, format, file.toFile());
        return file;
    }

    /** Asserts a {@link MalformedFileException} naming {@code file} and saying {@code problem}. */
    static MalformedFileException assertMalformed(Path file, String problem, Executable read) {
        MalformedFileException e = assertThrows(MalformedFileException.class, read);
        assertTrue(e.getMessage().contains(file.toString()), "message should name " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message should say '" + problem + "': " + e.getMessage());
        return e;
    }
}
