package dev.panamax.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradMode;
import dev.panamax.data.DataLoader;
import dev.panamax.data.TensorDataset;
import dev.panamax.nn.Activation;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.Loss;
import dev.panamax.optim.Adam;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorTest {
    @TempDir
    Path dir;

    @Test
    void diagnosesAModelAndLeavesItsWeightsAsTheyWere() throws IOException {
        Generator g = new Generator(4);
        Linear hidden = new Linear(8, 32, true, g);
        Sequential model = new Sequential(hidden, Activation.relu(), new Linear(32, 4, true, g));
        try (GradMode.Guard ng = GradMode.noGrad(); Tensor half = hidden.bias().narrow(0, 0, 16)) {
            // half the hidden units get a bias no input can overcome: they are dead
            half.fill_(-1e6);
        }
        Tensor x = Tensor.randn(g, 512, 8);
        Tensor y = Tensor.randint(g, 0, 4, 512);
        float[] before = hidden.weight().toFloatArray();
        try (TensorDataset data = new TensorDataset(x, y);
             DataLoader loader = DataLoader.builder(data).batchSize(32).shuffle(true).seed(1).build()) {
            Path plot = dir.resolve("lr.png");
            Doctor.Report r = Doctor.diagnose(model, Loss::crossEntropy, (p, lr) -> Adam.builder().lr(lr).build(p), 1e-2, loader, plot);
            assertTrue(r.canOverfit(), "loss " + r.overfitFirstLoss() + " -> " + r.overfitLastLoss());
            assertEquals(4, r.gradients().size());
            assertEquals("0.weight", r.gradients().get(0).name());
            assertEquals(1, r.activations().size());
            assertEquals("relu", r.activations().get(0).op());
            assertEquals(0.5, r.activations().get(0).deadFraction(), 1e-9, "16 of 32 units can never fire");
            assertTrue(r.lrRange().suggested() > 1e-7 && r.lrRange().suggested() < 10, "suggested " + r.lrRange().suggested());
            assertTrue(Files.size(plot) > 0);
        }
        assertArrayEquals(before, hidden.weight().toFloatArray(), "the doctor restores the weights");
        model.close();
        x.close();
        y.close();
    }

    @Test
    void gradientVerdicts() {
        assertEquals("vanishing", new Doctor.LayerGradient("w", 1e-9, 1).verdict());
        assertEquals("exploding", new Doctor.LayerGradient("w", 1e4, 1).verdict());
        assertEquals("ok", new Doctor.LayerGradient("w", 0.3, 1).verdict());
        assertEquals(1e-2, Doctor.steepest(java.util.List.of(1e-4, 1e-3, 1e-2, 1e-1), java.util.List.of(2.0, 1.9, 1.0, 3.0)), 1e-15);
    }
}
