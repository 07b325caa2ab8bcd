package dev.panamax.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradMode;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.ops.Loss;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class TabularModelsTest {
    private final Generator gen = new Generator(31);

    @Test
    void wideAndDeepIsTheSumOfItsTwoParts() {
        try (WideAndDeep model = new WideAndDeep(new long[] {3, 5}, 2, 4, new int[] {8}, 1, gen); Scope s = Scope.open()) {
            assertEquals(List.of("wide.weight", "wide_numeric.weight", "wide_numeric.bias", "embeddings.0.weight", "embeddings.1.weight",
                    "deep.0.weight", "deep.0.bias", "deep.2.weight", "deep.2.bias"), List.copyOf(model.stateDict().keySet()));
            Tensor ids = Tensor.of(new long[] {0, 4, 2, 1, 1, 0}, 3, 2);
            Tensor numeric = Tensor.randn(gen, 3, 2);
            Tensor y = model.forward(ids, numeric);
            assertArrayEquals(new long[] {3, 1}, y.shape().toArray());
            var state = model.stateDict();
            double[] wide = state.get("wide.weight").toDoubleArray();
            double[] e0 = state.get("embeddings.0.weight").toDoubleArray();
            double[] e1 = state.get("embeddings.1.weight").toDoubleArray();
            Linear wideNumeric = (Linear) model.children().get("wide_numeric");
            Module deep = model.children().get("deep");
            long[] id = ids.toLongArray();
            double[] expected = new double[3];
            for (int n = 0; n < 3; n++) {
                double[] joined = new double[10];
                for (int j = 0; j < 4; j++) {
                    joined[j] = e0[(int) id[2 * n] * 4 + j];
                    joined[4 + j] = e1[(int) id[2 * n + 1] * 4 + j];
                }
                joined[8] = numeric.get(n, 0);
                joined[9] = numeric.get(n, 1);
                try (Tensor row = Tensor.of(joined, 1, 10).to(DType.FLOAT32); Tensor deepOut = deep.forward(row);
                     Tensor num = numeric.narrow(0, n, 1); Tensor lin = wideNumeric.forward(num)) {
                    expected[n] = wide[(int) id[2 * n]] + wide[3 + (int) id[2 * n + 1]] + lin.item() + deepOut.item();
                }
            }
            assertArrayEquals(expected, y.toDoubleArray(), 1e-5);
        }
    }

    @Test
    void wideAndDeepLearnsAnInteraction() {
        // the label is 1 exactly when both fields take value 1: only the deep part (or a crossed feature) can express it
        long[] ids = new long[32];
        double[] labels = new double[16];
        for (int i = 0; i < 16; i++) {
            ids[2 * i] = i % 2;
            ids[2 * i + 1] = (i / 2) % 2;
            labels[i] = ids[2 * i] == 1 && ids[2 * i + 1] == 1 ? 1 : 0;
        }
        try (WideAndDeep model = new WideAndDeep(new long[] {2, 2}, 0, 4, new int[] {16}, 1, gen); Scope s = Scope.open()) {
            Tensor x = Tensor.of(ids, 16, 2);
            Tensor y = Tensor.of(labels, 16, 1).to(DType.FLOAT32);
            double first = 0;
            double last = 0;
            for (int step = 0; step < 150; step++) {
                try (Scope inner = Scope.open()) {
                    Tensor loss = Loss.binaryCrossEntropyWithLogits(model.forward(x), y);
                    loss.backward();
                    last = loss.item();
                    first = step == 0 ? last : first;
                    try (GradMode.Guard ignored = GradMode.noGrad()) {
                        for (Tensor p : model.parameters()) {
                            p.sub_(p.grad().mul(0.5));
                        }
                    }
                    model.zeroGrad();
                }
            }
            assertTrue(last < 0.1 * first, "loss " + first + " -> " + last);
        }
    }

    @Test
    void wideAndDeepChecksItsInputs() {
        try (WideAndDeep model = new WideAndDeep(new long[] {3}, 2, 4, new int[] {}, 2, gen); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(DType.INT64, 4, 2), null));
            assertEquals("WideAndDeep: categorical ids must be [N, 1], got [4, 2]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(DType.INT64, 4, 1)));
            assertEquals("WideAndDeep: numeric features must be [4, 2], got null", e.getMessage());
            IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class,
                    () -> model.forward(Tensor.full(3, DType.INT64, 4, 1), Tensor.zeros(4, 2)));
            assertTrue(range.getMessage().contains("index 3 is out of bounds"), range.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WideAndDeep(new long[] {0}, 0, 2, new int[0], 1, gen));
        assertTrue(e.getMessage().startsWith("WideAndDeep: needs at least one categorical field with positive cardinalities"), e.getMessage());
    }

    /** (1/N) Σ_n (diag(p) - p pᵀ)[k, l] x̃_i x̃_j, indexed by parameter position (weight row-major, then bias), in plain loops. */
    private static double[][] referenceHessian(double[][] x, double[][] p, boolean binary) {
        int n = x.length;
        int d = x[0].length;
        int c = p[0].length;
        int size = c * (d + 1);
        double[][] h = new double[size][size];
        for (int a = 0; a < size; a++) {
            int k = a < c * d ? a / d : a - c * d;
            int i = a < c * d ? a % d : d;
            for (int b = 0; b < size; b++) {
                int l = b < c * d ? b / d : b - c * d;
                int j = b < c * d ? b % d : d;
                double sum = 0;
                for (int r = 0; r < n; r++) {
                    double xi = i == d ? 1 : x[r][i];
                    double xj = j == d ? 1 : x[r][j];
                    double curvature = binary ? p[r][0] * (1 - p[r][0]) : (k == l ? p[r][k] : 0) - p[r][k] * p[r][l];
                    sum += curvature * xi * xj;
                }
                h[a][b] = sum / n;
            }
        }
        return h;
    }

    @Test
    void logisticRegressionHessiansMatchTheReference() {
        for (int classes : new int[] {1, 3}) {
            try (LogisticRegression model = new LogisticRegression(4, classes, gen); Scope s = Scope.open()) {
                Tensor x = Tensor.randn(gen, 6, 4);
                double[] xs = x.toDoubleArray();
                double[] probs = model.probabilities(x).toDoubleArray();
                double[][] xr = new double[6][4];
                double[][] pr = new double[6][classes];
                for (int r = 0; r < 6; r++) {
                    for (int j = 0; j < 4; j++) {
                        xr[r][j] = xs[r * 4 + j];
                    }
                    for (int k = 0; k < classes; k++) {
                        pr[r][k] = probs[r * classes + k];
                    }
                }
                double[][] expected = referenceHessian(xr, pr, classes == 1);
                Tensor h = model.hessian(x);
                int size = classes * 5;
                assertArrayEquals(new long[] {size, size}, h.shape().toArray());
                assertEquals(DType.FLOAT64, h.dtype());
                double[] actual = h.toDoubleArray();
                for (int a = 0; a < size; a++) {
                    for (int b = 0; b < size; b++) {
                        assertEquals(expected[a][b], actual[a * size + b], 1e-6, classes + " classes, entry " + a + "," + b);
                    }
                }
            }
        }
    }

    @Test
    void logisticRegressionGivesProbabilities() {
        try (LogisticRegression binary = new LogisticRegression(3, 1, gen); LogisticRegression softmax = new LogisticRegression(3, 4, gen);
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 5, 3);
            assertArrayEquals(binary.forward(x).sigmoid().toFloatArray(), binary.probabilities(x).toFloatArray());
            assertArrayEquals(new float[] {1, 1, 1, 1, 1}, softmax.probabilities(x).sum(1).toFloatArray(), 1e-6f);
            assertEquals(List.of("linear.weight", "linear.bias"), List.copyOf(softmax.stateDict().keySet()));
            assertThrows(IllegalArgumentException.class, () -> new LogisticRegression(3, 0, gen));
        }
    }

    @Test
    void leNet5HasTheTutorialsLayersAndCount() {
        try (LeNet5 net = new LeNet5(); Scope s = Scope.open()) {
            assertEquals(61_706, net.parameterCount());
            assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                    "fc3.weight", "fc3.bias"), List.copyOf(net.stateDict().keySet()));
            assertArrayEquals(new long[] {400}, new long[] {net.stateDict().get("fc1.weight").size(1)});
            assertArrayEquals(new long[] {3, 10}, net.forward(Tensor.randn(gen, 3, 1, 28, 28)).shape().toArray());
            try (LeNet5 rgb = new LeNet5(100, 3, 32, gen)) {
                assertArrayEquals(new long[] {2, 100}, rgb.forward(Tensor.randn(gen, 2, 3, 32, 32)).shape().toArray());
            }
        }
    }
}
