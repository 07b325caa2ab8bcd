package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.ops.Embedding;
import dev.panamax.ops.EmbeddingBagMode;
import dev.panamax.ops.EmbeddingOptions;
import dev.panamax.ops.PoolOptions;
import dev.panamax.ops.Pooling;
import dev.panamax.ops.Reduction.ValuesIndices;
import dev.panamax.ops.Regularization;
import dev.panamax.ops.StochasticPooling;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each layer gives exactly what its functional op gives with the same parameters, and gradients reach its parameters. */
class LayerParityTest {
    private final Generator gen = new Generator(5);

    @Test
    void convolutions() {
        try (Scope s = Scope.open()) {
            ConvOptions o = ConvOptions.DEFAULT.stride(2).padding(1);
            Conv1d c1 = new Conv1d(3, 4, 3, o, true, gen);
            Tensor seq = Tensor.randn(gen, 2, 3, 9);
            assertArrayEquals(Convolution.conv1d(seq, c1.weight(), c1.bias(), o).toFloatArray(), c1.forward(seq).toFloatArray());
            assertEquals(List.of("weight", "bias"), List.copyOf(c1.stateDict().keySet()));
            assertArrayEquals(new long[] {4, 3, 3}, c1.weight().shape().toArray());
            ConvOptions t = ConvOptions.DEFAULT.stride(2).padding(1).outputPadding(1).groups(2);
            ConvTranspose2d ct = new ConvTranspose2d(4, 6, 3, 2, t, true, gen);
            assertArrayEquals(new long[] {4, 3, 3, 2}, ct.weight().shape().toArray(), "weight [in, out/groups, kH, kW]");
            Tensor img = Tensor.randn(gen, 1, 4, 3, 5);
            Tensor y = ct.forward(img);
            assertArrayEquals(Convolution.convTranspose2d(img, ct.weight(), ct.bias(), t).toFloatArray(), y.toFloatArray());
            assertArrayEquals(new long[] {1, 6, 6, 9}, y.shape().toArray());
            y.sum().backward();
            assertNotNull(ct.weight().grad());
            assertNotNull(ct.bias().grad());
            double bound = 1 / Math.sqrt(3 * 3 * 2);
            assertTrue(ct.weight().abs().max().item() <= bound + 1e-7, "PyTorch's default bound 1/sqrt(weight.size(1)·kH·kW)");
            c1.close();
            ct.close();
        }
    }

    @Test
    void pooling() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 3, 7, 6);
            PoolOptions o = PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true);
            MaxPool2d max = new MaxPool2d(o);
            assertArrayEquals(Pooling.maxPool2d(x, o).toFloatArray(), max.forward(x).toFloatArray());
            ValuesIndices withIndices = max.forwardWithIndices(x);
            ValuesIndices expected = Pooling.maxPool2dWithIndices(x, o);
            assertArrayEquals(expected.indices().toLongArray(), withIndices.indices().toLongArray());
            MaxUnpool2d unpool = new MaxUnpool2d(PoolOptions.kernel(3).stride(2).padding(1));
            assertArrayEquals(Pooling.maxUnpool2d(withIndices.values(), withIndices.indices(), 7, 6).toFloatArray(),
                    unpool.forward(withIndices.values(), withIndices.indices(), 7, 6).toFloatArray());
            assertThrows(UnsupportedOperationException.class, () -> unpool.forward(x));
            AvgPool2d avg = new AvgPool2d(PoolOptions.kernel(3).stride(2).padding(1), false, 0);
            assertArrayEquals(Pooling.avgPool2d(x, PoolOptions.kernel(3).stride(2).padding(1), false).toFloatArray(), avg.forward(x).toFloatArray());
            AvgPool2d divided = new AvgPool2d(PoolOptions.kernel(2), true, 3);
            assertArrayEquals(Pooling.avgPool2d(x, PoolOptions.kernel(2), true, 3).toFloatArray(), divided.forward(x).toFloatArray());
            assertArrayEquals(Pooling.adaptiveAvgPool2d(x, 2, 3).toFloatArray(), new AdaptiveAvgPool2d(2, 3).forward(x).toFloatArray());
            AdaptiveMaxPool2d amax = new AdaptiveMaxPool2d(3);
            assertArrayEquals(Pooling.adaptiveMaxPool2d(x, 3, 3).toFloatArray(), amax.forward(x).toFloatArray());
            assertArrayEquals(Pooling.adaptiveMaxPool2dWithIndices(x, 3, 3).indices().toLongArray(),
                    amax.forwardWithIndices(x).indices().toLongArray());
            Tensor gap = new GlobalPool2d(GlobalPool2d.Kind.AVG, true).forward(x);
            assertArrayEquals(new long[] {2, 3}, gap.shape().toArray());
            assertArrayEquals(Pooling.globalAvgPool2d(x).toFloatArray(), gap.toFloatArray());
            assertArrayEquals(Pooling.globalMaxPool2d(x).toFloatArray(), new GlobalPool2d(GlobalPool2d.Kind.MAX, false).forward(x).toFloatArray());
        }
    }

    @Test
    void stochasticPoolingDrawsInTrainingAndAveragesInEvaluation() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.rand(gen, 2, 2, 6, 6);
            PoolOptions o = PoolOptions.kernel(2);
            StochasticPool2d pool = new StochasticPool2d(o, new Generator(9));
            assertArrayEquals(StochasticPooling.stochasticPool2d(x, o, true, new Generator(9)).toFloatArray(), pool.forward(x).toFloatArray());
            pool.eval();
            assertArrayEquals(StochasticPooling.stochasticPool2d(x, o, false, null).toFloatArray(), pool.forward(x).toFloatArray());
        }
    }

    @Test
    void dropoutFollowsTheTrainingFlagAndItsGenerator() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 4, 3, 5, 5);
            Dropout d = new Dropout(0.3, new Generator(21));
            assertArrayEquals(Regularization.dropout(x, 0.3, true, new Generator(21)).toFloatArray(), d.forward(x).toFloatArray());
            Dropout2d d2 = new Dropout2d(0.5, new Generator(22));
            assertArrayEquals(Regularization.dropout2d(x, 0.5, true, new Generator(22)).toFloatArray(), d2.forward(x).toFloatArray());
            Sequential net = new Sequential(d, d2);
            net.eval();
            assertArrayEquals(x.toFloatArray(), net.forward(x).toFloatArray(), "evaluation is the identity");
            net.train();
            assertFalse(java.util.Arrays.equals(x.toFloatArray(), net.forward(x).toFloatArray()));
            assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        }
    }

    @Test
    void maxoutGroupsChannels() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 6, 3);
            assertArrayEquals(Regularization.maxout(x, 3, 1).toFloatArray(), new Maxout(3).forward(x).toFloatArray());
            assertArrayEquals(new long[] {2, 6, 1}, new Maxout(3, -1).forward(x).shape().toArray());
        }
    }

    @Test
    void embeddingsLookUpTheirOwnTable() {
        try (Scope s = Scope.open()) {
            dev.panamax.nn.Embedding emb = new dev.panamax.nn.Embedding(7, 4, EmbeddingOptions.DEFAULT.paddingIdx(-1), gen);
            assertEquals(0.0, emb.weight().select(0, 6).abs().sum().item(), "the padding row starts at zero");
            assertEquals(1.0, emb.weight().narrow(0, 0, 6).std().item(), 0.5, "N(0, 1) rows");
            Tensor ids = Tensor.of(new long[] {6, 1, 2, 1}, 2, 2);
            Tensor y = emb.forward(ids);
            assertArrayEquals(Embedding.embedding(ids, emb.weight(), EmbeddingOptions.DEFAULT.paddingIdx(6)).toFloatArray(), y.toFloatArray());
            y.sum().backward();
            assertEquals(0.0, emb.weight().grad().select(0, 6).abs().sum().item());
            assertEquals(3 * 4, emb.weight().grad().sum().item(), 1e-6, "three non-padding lookups of 4 columns");
            EmbeddingBag bag = new EmbeddingBag(7, 4, EmbeddingBagMode.SUM, EmbeddingOptions.DEFAULT, false, gen);
            Tensor flat = Tensor.of(new long[] {0, 3, 3, 5, 6}, 5);
            Tensor offsets = Tensor.of(new long[] {0, 2}, 2);
            assertArrayEquals(Embedding.embeddingBag(flat, bag.weight(), offsets, EmbeddingOptions.DEFAULT, EmbeddingBagMode.SUM, null, false)
                    .toFloatArray(), bag.forward(flat, offsets).toFloatArray());
            Tensor weights = Tensor.rand(gen, 5);
            assertArrayEquals(Embedding.embeddingBag(flat, bag.weight(), offsets, EmbeddingOptions.DEFAULT, EmbeddingBagMode.SUM, weights, false)
                    .toFloatArray(), bag.forward(flat, offsets, weights).toFloatArray());
            assertArrayEquals(new long[] {2, 4}, bag.forward(ids).shape().toArray(), "a [B, N] input is B bags");
            assertEquals(List.of("weight"), List.copyOf(bag.stateDict().keySet()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new dev.panamax.nn.Embedding(3, 2, EmbeddingOptions.DEFAULT.paddingIdx(3), gen));
            assertEquals("Embedding: padding_idx 3 must be within num_embeddings 3", e.getMessage());
            assertEquals(DType.FLOAT32, emb.weight().dtype());
            e = assertThrows(IllegalArgumentException.class, () -> new EmbeddingBag(3, 2, EmbeddingBagMode.MAX,
                    EmbeddingOptions.DEFAULT.scaleGradByFreq(true), false, gen));
            assertEquals("EmbeddingBag: scale_grad_by_freq is not supported with mode='max'", e.getMessage());
            emb.close();
            bag.close();
        }
    }

    @Test
    void embeddingsScaleGradByFreqAsTheirOps() {
        try (Scope s = Scope.open()) {
            EmbeddingOptions o = EmbeddingOptions.DEFAULT.scaleGradByFreq(true);
            Tensor ids = Tensor.of(new long[] {2, 0, 2, 2}, 2, 2);
            dev.panamax.nn.Embedding emb = new dev.panamax.nn.Embedding(3, 2, o, gen);
            assertEquals(o, emb.options());
            emb.forward(ids).sum().backward();
            assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1}, emb.weight().grad().toFloatArray(), "every row's ones over its count");
            EmbeddingBag bag = new EmbeddingBag(3, 2, EmbeddingBagMode.MEAN, o, false, gen);
            bag.forward(ids).sum().backward();
            assertArrayEquals(new float[] {0.5f, 0.5f, 0, 0, 0.5f, 0.5f}, bag.weight().grad().toFloatArray(),
                    "row 2: three halves (one in bag 0, two in bag 1) over its count 3; row 0: a half over 1");
            assertEquals(List.of("weight"), List.copyOf(bag.stateDict().keySet()));
            emb.close();
            bag.close();
        }
    }
}
