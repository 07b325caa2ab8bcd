package dev.panamax.backend.cpu;

import dev.panamax.testing.GeneratedSource;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Keeps the committed ElementwiseLoops.java equal to what ElementwiseLoopGenerator writes. */
class ElementwiseLoopsSourceTest {
    @Test
    void committedSourceMatchesGenerator() throws IOException {
        GeneratedSource.assertCommitted(ElementwiseLoopGenerator.RELATIVE_PATH, ElementwiseLoopGenerator.source(), "ElementwiseLoopsSourceTest");
    }
}
