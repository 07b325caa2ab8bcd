package dev.panamax.backend.cpu.gemm;

import dev.panamax.testing.GeneratedSource;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Keeps the committed MicroKernels.java equal to what MicroKernelGenerator writes. */
class MicroKernelsSourceTest {
    @Test
    void committedSourceMatchesGenerator() throws IOException {
        GeneratedSource.assertCommitted(MicroKernelGenerator.RELATIVE_PATH, MicroKernelGenerator.source(), "MicroKernelsSourceTest");
    }
}
