package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.EmbeddingBagMode;
import dev.panamax.ops.EmbeddingOptions;
import dev.panamax.ops.PoolOptions;
import dev.panamax.tensor.Generator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layers print as PyTorch 2.13 prints the same layers (expected strings taken from its repr()). */
class LayerReprTest {
    private final Generator gen = new Generator(3);

    private static void assertPrints(String expected, Module m) {
        try (m) {
            assertEquals(expected, m.toString());
        }
    }

    @Test
    void convolutions() {
        assertPrints("Conv1d(16, 33, kernel_size=(3,), stride=(2,))", new Conv1d(16, 33, 3, ConvOptions.DEFAULT.stride(2), true, gen));
        assertPrints("Conv1d(4, 8, kernel_size=(5,), stride=(1,), padding=(2,), dilation=(2,), groups=2, bias=False)",
                new Conv1d(4, 8, 5, ConvOptions.DEFAULT.padding(2).dilation(2).groups(2), false, gen));
        assertPrints("ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))",
                new ConvTranspose2d(3, 4, 3, ConvOptions.DEFAULT.stride(2).outputPadding(1)));
        assertPrints("ConvTranspose2d(4, 2, kernel_size=(3, 2), stride=(1, 1), padding=(1, 0), groups=2, bias=False)",
                new ConvTranspose2d(4, 2, 3, 2, ConvOptions.DEFAULT.padding(1, 0).groups(2), false, gen));
    }

    @Test
    void pooling() {
        assertPrints("MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(3, 2, 0));
        assertPrints("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=True)", new MaxPool2d(PoolOptions.kernel(2).ceilMode(true)));
        assertPrints("AvgPool2d(kernel_size=3, stride=1, padding=1)", new AvgPool2d(3, 1, 1));
        assertPrints("AdaptiveAvgPool2d(output_size=1)", new AdaptiveAvgPool2d(1));
        assertPrints("AdaptiveMaxPool2d(output_size=(2, 3))", new AdaptiveMaxPool2d(2, 3));
        assertPrints("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))", new MaxUnpool2d(2));
    }

    @Test
    void normalisation() {
        assertPrints("BatchNorm1d(3, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True)",
                new BatchNorm1d(3, 1e-5, null, true, true));
        assertPrints("BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)", new BatchNorm2d(64));
        assertPrints("BatchNorm2d(8, eps=0.001, momentum=0.1, affine=False, bias=False, track_running_stats=False)",
                new BatchNorm2d(8, 1e-3, 0.1, false, false));
        assertPrints("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)", new InstanceNorm2d(3));
        assertPrints("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)",
                new InstanceNorm2d(3, 1e-5, 0.1, true, true));
        assertPrints("LayerNorm((4, 5), eps=1e-05, elementwise_affine=True, bias=True)", new LayerNorm(4, 5));
        assertPrints("LayerNorm((10,), eps=1e-05, elementwise_affine=False, bias=False)", new LayerNorm(new long[] {10}, 1e-5, false, true));
        assertPrints("GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)", new GroupNorm(2, 4));
        assertPrints("LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=2.0)", new LocalResponseNorm(5, 1e-4, 0.75, 2));
    }

    @Test
    void dropoutEmbeddingsAndLinear() {
        assertPrints("Dropout(p=0.5, inplace=False)", new Dropout());
        assertPrints("Dropout2d(p=0.25, inplace=False)", new Dropout2d(0.25));
        assertPrints("Embedding(10, 3)", new Embedding(10, 3));
        assertPrints("Embedding(10, 3, padding_idx=9, max_norm=1.0, norm_type=1.0)",
                new Embedding(10, 3, EmbeddingOptions.DEFAULT.paddingIdx(-1).maxNorm(1).normType(1), gen));
        assertPrints("EmbeddingBag(10, 3, mode='max')", new EmbeddingBag(10, 3, EmbeddingBagMode.MAX));
        assertPrints("Embedding(10, 3, padding_idx=1, max_norm=1.0, scale_grad_by_freq=True)",
                new Embedding(10, 3, EmbeddingOptions.DEFAULT.paddingIdx(1).maxNorm(1).scaleGradByFreq(true), gen));
        // a bag prints padding_idx after mode, and not include_last_offset
        assertPrints("EmbeddingBag(10, 3, max_norm=2.0, scale_grad_by_freq=True, mode='sum', padding_idx=1)", new EmbeddingBag(10, 3,
                EmbeddingBagMode.SUM, EmbeddingOptions.DEFAULT.paddingIdx(1).maxNorm(2).scaleGradByFreq(true), false, gen));
        assertPrints("EmbeddingBag(10, 3, norm_type=1.0, mode='max', padding_idx=9)",
                new EmbeddingBag(10, 3, EmbeddingBagMode.MAX, EmbeddingOptions.DEFAULT.paddingIdx(-1).normType(1), true, gen));
        assertPrints("Linear(in_features=3, out_features=4, bias=True)", new Linear(3, 4));
        assertPrints("Flatten(start_dim=1, end_dim=-1)", new Flatten());
        assertPrints("CrossEntropyLoss()", new CrossEntropyLoss());
    }

    @Test
    void recurrentLayersAndCells() {
        RecurrentOptions all = RecurrentOptions.DEFAULT.projSize(5).numLayers(2).bias(false).batchFirst(true).dropout(0.5).bidirectional(true);
        assertPrints("LSTM(10, 20, proj_size=5, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)",
                new LSTM(10, 20, all, gen));
        assertPrints("GRU(3, 4)", new GRU(3, 4));
        assertPrints("GRU(3, 4, num_layers=3, dropout=0.25)", new GRU(3, 4, RecurrentOptions.DEFAULT.numLayers(3).dropout(0.25), gen));
        assertPrints("RNN(3, 4, bidirectional=True)", new RNN(3, 4, RecurrentOptions.DEFAULT.nonlinearity("relu").bidirectional(true), gen));
        assertPrints("RNNCell(3, 4, bias=False, nonlinearity=relu)", new RNNCell(3, 4, false, "relu", gen));
        assertPrints("LSTMCell(3, 4)", new LSTMCell(3, 4));
        assertPrints("GRUCell(2, 5, bias=False)", new GRUCell(2, 5, false, gen));
    }

    @Test
    void numbersArePrintedAsPythonPrintsFloats() {
        List<double[]> cases = List.of(new double[] {1e-5}, new double[] {1e-4}, new double[] {0.1}, new double[] {2}, new double[] {-0.001},
                new double[] {1.5e-7}, new double[] {1e16}, new double[] {123456.75}, new double[] {0.0});
        List<String> expected = List.of("1e-05", "0.0001", "0.1", "2.0", "-0.001", "1.5e-07", "1e+16", "123456.75", "0.0");
        for (int i = 0; i < cases.size(); i++) {
            assertEquals(expected.get(i), Repr.num(cases.get(i)[0]));
        }
    }
}
