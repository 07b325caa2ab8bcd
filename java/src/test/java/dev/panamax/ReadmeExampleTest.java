package dev.panamax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The example in README.md, kept compiling and correct. */
class ReadmeExampleTest {
    @Test
    void readmeExample() {
        // --- README example (keep in sync) ---
        try (Scope scope = Scope.open()) {
            Generator gen = new Generator(42);
            Tensor x = Tensor.randn(gen, 64, 3);                       // a batch of inputs
            Tensor w = Tensor.randn(gen, 3, 1).requiresGrad(true);     // parameters
            Tensor b = Tensor.zeros(1).requiresGrad(true);
            Tensor y = x.matmul(Tensor.of(new float[] {2, -1, 0.5f}, 3, 1)).add(1);

            Tensor loss = x.matmul(w).add(b).sub(y).pow(2).mean();    // forward
            loss.backward();                                           // reverse-mode autodiff

            System.out.println(loss.item());                           // a number
            System.out.println(w.grad());                              // tensor([[...]]) of shape [3, 1]
            // --- end of README example ---
            assertArrayEquals(new long[] {3, 1}, w.grad().shape().toArray());
            w.close();
            b.close();
        }
    }
}
