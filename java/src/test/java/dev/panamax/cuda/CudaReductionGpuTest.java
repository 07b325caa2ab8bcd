package dev.panamax.cuda;

import dev.panamax.ops.LinearAlgebra;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.ScopePerTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reductions (both kernel strategies and the chunked one), arg-max/min, softmax and matmul on CUDA against the CPU. */
@Tag("gpu")
@ExtendWith(ScopePerTest.class)
class CudaReductionGpuTest {
    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Generator(seed), shape);
    }

    @Test
    void sumsOverEveryDimSetAndLayout() {
        Tensor x = randn(1, 3, 5, 7);
        int[][] dimSets = {{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}};
        for (int[] dims : dimSets) {
            String d = java.util.Arrays.toString(dims);
            CudaParity.check("sum " + d, t -> t[0].sum(dims, false), x);
            CudaParity.check("sum keepDim " + d, t -> t[0].sum(dims, true), x);
            CudaParity.check("mean " + d + " permuted", t -> t[0].permute(2, 0, 1).mean(dims), x);
            CudaParity.check("prod " + d, t -> t[0].prod(dims[0], false), x);
        }
        CudaParity.check("sum strided", t -> OpCheck.strided(t[0]).sum(new int[] {1}, false), x);
    }

    @Test
    void longReductionsSplitIntoChunksAndColumnSums() {
        CudaParity.check("sum of 300k", t -> t[0].sum(), 10, randn(2, 300_000));
        CudaParity.check("row sums", t -> t[0].sum(new int[] {1}, false), 10, randn(3, 7, 20_000));
        CudaParity.check("column sums", t -> t[0].sum(new int[] {0}, false), 10, randn(4, 20_000, 7));
        CudaParity.check("bias gradient shape", t -> t[0].sum(new int[] {0, 2, 3}, false), 10, randn(5, 8, 16, 9, 9));
    }

    @Test
    void maxMinAndTheirIndicesWithTiesAndNaN() {
        Tensor ties = Tensor.of(new float[] {1, 3, 3, -1, 2, 2, 0, 5, Float.NaN, 4, 4, 1}, 3, 4);
        CudaParity.checkForward("max values", t -> t[0].max(1, false).values(), ties);
        CudaParity.checkForward("max indices", t -> t[0].max(1, false).indices(), ties);
        CudaParity.checkForward("argmin dim 0", t -> t[0].argmin(0, true), ties);
        CudaParity.checkForward("max of all", t -> t[0].max(), ties);
        CudaParity.check("max backward", t -> t[0].max(2, false).values(), randn(6, 4, 3, 9));
        CudaParity.checkForward("int64 max exact", t -> t[0].max(0, false).values(),
                Tensor.of(new long[] {(1L << 60) + 1, (1L << 60) + 3, (1L << 60) + 2}, 3));
        CudaParity.checkForward("int64 sum exact", t -> t[0].sum(), Tensor.of(new long[] {(1L << 60) + 1, 1, 1}, 3));
    }

    @Test
    void varianceLogsumexpSoftmax() {
        Tensor x = randn(7, 4, 33);
        CudaParity.check("var", t -> t[0].var(new int[] {1}, 1, false), x);
        CudaParity.check("logsumexp", t -> t[0].logsumexp(new int[] {1}, true), x);
        CudaParity.check("softmax last", t -> t[0].softmax(-1), x);
        CudaParity.check("softmax dim 0", t -> t[0].softmax(0), x);
        CudaParity.check("logSoftmax transposed", t -> t[0].t().logSoftmax(1), x);
        CudaParity.check("softmax long rows", t -> t[0].mul(30).softmax(1), randn(8, 3, 5000));
    }

    @Test
    void matmulEveryRankTransposeAndBroadcast() {
        CudaParity.check("2-D", t -> t[0].matmul(t[1]), randn(9, 5, 7), randn(10, 7, 3));
        CudaParity.check("a transposed", t -> t[0].t().matmul(t[1]), randn(11, 7, 5), randn(12, 7, 3));
        CudaParity.check("b transposed", t -> t[0].matmul(t[1].t()), randn(13, 5, 7), randn(14, 3, 7));
        CudaParity.check("batched broadcast", t -> t[0].matmul(t[1]), randn(15, 4, 1, 5, 6), randn(16, 3, 6, 2));
        CudaParity.check("vector", t -> t[0].matmul(t[1]), randn(17, 6), randn(18, 6, 4));
        CudaParity.check("strided rows", t -> OpCheck.strided(t[0]).matmul(t[1]), randn(19, 5, 6), randn(20, 6, 4));
        CudaParity.check("k = 0", t -> t[0].matmul(t[1]), randn(21, 3, 0), randn(22, 0, 4));
        CudaParity.check("linear", t -> LinearAlgebra.linear(t[0], t[1], t[2]), randn(23, 8, 5), randn(24, 3, 5), randn(25, 3));
        CudaParity.check("large", t -> t[0].matmul(t[1]), 20, randn(26, 130, 257), randn(27, 257, 66));
    }

    @Test
    void tf32IsOffUnlessAskedFor() {
        var gpu = GpuDevice.get();
        try (Tensor a = randn(28, 64, 64).to(gpu); Tensor b = randn(29, 64, 64).to(gpu); Tensor c = a.matmul(b);
             Tensor ca = a.to(dev.panamax.tensor.Device.CPU); Tensor cb = b.to(dev.panamax.tensor.Device.CPU); Tensor ref = ca.matmul(cb)) {
            CudaParity.assertClose("fp32 matmul without TF32", ref, c, 1);
        }
        org.junit.jupiter.api.Assertions.assertFalse(dev.panamax.Panamax.allowTf32(), "TF32 must be opt-in");
        try (Tensor x = randn(30, 3).to(DType.FLOAT64)) {
            CudaParity.check("float64 matmul", t -> t[0].unsqueeze(1).matmul(t[0].unsqueeze(0)), x);
        }
    }
}
