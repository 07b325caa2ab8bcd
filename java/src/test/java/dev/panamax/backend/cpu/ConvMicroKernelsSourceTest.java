package dev.panamax.backend.cpu;

import dev.panamax.testing.GeneratedSource;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Keeps the committed ConvMicroKernels.java equal to what ConvMicroKernelGenerator writes. */
class ConvMicroKernelsSourceTest {
    @Test
    void committedSourceMatchesGenerator() throws IOException {
        GeneratedSource.assertCommitted(ConvMicroKernelGenerator.RELATIVE_PATH, ConvMicroKernelGenerator.source(), "ConvMicroKernelsSourceTest");
    }
}
