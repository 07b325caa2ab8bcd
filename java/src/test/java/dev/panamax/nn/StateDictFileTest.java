package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.data.io.Safetensors;
import dev.panamax.models.LeNet5;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state dict written as safetensors (the format Python reads) and loaded back gives the same model. */
class StateDictFileTest {
    @TempDir
    Path dir;

    @Test
    void stateDictThroughSafetensorsAndBack() throws IOException {
        Path file = dir.resolve("lenet.safetensors");
        try (LeNet5 a = new LeNet5(10, 1, 28, new Generator(1)); LeNet5 b = new LeNet5(10, 1, 28, new Generator(2));
             Scope s = Scope.open()) {
            Safetensors.write(file, a.stateDict(), Map.of("format", "pt"));
            try (Safetensors.Contents c = Safetensors.read(file)) {
                assertEquals(a.stateDict().keySet(), c.tensors().keySet());
                b.loadStateDict(c.tensors(), true);
            }
            Tensor x = Tensor.randn(new Generator(3), 4, 1, 28, 28);
            assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
        }
    }
}
