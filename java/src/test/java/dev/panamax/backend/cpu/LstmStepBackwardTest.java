package dev.panamax.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamax.backend.Backend;
import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Operand;
import dev.panamax.backend.PreparedMatrix;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link CpuBackend#lstmStepBackward}: the sums gradY + dh and gradCY + dc taken in the cell-backward pass give
 * the same bits as {@code Backend}'s default (two adds in place, the cell's backward, the product), in float32
 * and float64, on 1 and 2 threads, with ragged H = 33, B = 1 and odd B.
 */
class LstmStepBackwardTest {
    @ParameterizedTest(name = "B={0} H={1} {2}")
    @CsvSource({"1, 64, FLOAT32", "7, 128, FLOAT32", "5, 33, FLOAT32", "64, 512, FLOAT32", "3, 33, FLOAT64", "2, 16, FLOAT64"})
    void fusedStepEqualsTheComposedKernels(int batch, int hid, DType dtype) {
        Generator gen = new Generator(17L * batch + hid);
        try (Scope s = Scope.open()) {
            Tensor[] saved = LstmCellBackwardTest.saved(gen, batch, hid, dtype);
            Tensor act = saved[0];
            Tensor c = saved[1];
            Tensor tanhC = saved[2];
            Tensor gradY = Tensor.randn(gen, batch, hid).to(dtype);
            Tensor gradCY = Tensor.randn(gen, batch, hid).to(dtype);
            Tensor w = Tensor.randn(gen, 4L * hid, hid).mul(1 / Math.sqrt(hid)).to(dtype);
            Tensor dh0 = Tensor.randn(gen, batch, hid).to(dtype);
            Tensor dc0 = Tensor.randn(gen, batch, hid).to(dtype);
            Backend be = act.backend();
            for (int threads : new int[] {1, 2}) {
                CpuThreads.run(threads, () -> {
                    try (PreparedMatrix wp = be.prepareRight(w.operand())) {
                        Tensor[] fused = state(dh0, dc0, batch, hid, dtype);
                        be.lstmStepBackward(act.operand(), c.operand(), tanhC.operand(), gradY.operand(), gradCY.operand(), wp,
                                fused[0].operand(), fused[1].operand(), fused[2].operand());
                        Tensor[] composed = state(dh0, dc0, batch, hid, dtype);
                        Operand dh = composed[0].operand();
                        Operand dc = composed[1].operand();
                        Operand gates = composed[2].operand();
                        be.binary(BinaryOp.ADD, gradY.operand(), dh, dh);
                        be.binary(BinaryOp.ADD, gradCY.operand(), dc, dc);
                        be.lstmCellBackward(act.operand(), c.operand(), tanhC.operand(), dh, dc, gates, dc);
                        be.matmulPrepared(gates, wp, dh, false);
                        String[] names = {"dh", "dc", "dgates"};
                        for (int i = 0; i < names.length; i++) {
                            assertArrayEquals(composed[i].toDoubleArray(), fused[i].toDoubleArray(), names[i] + " on " + threads + " threads");
                        }
                    }
                });
            }
        }
    }

    /** dh and dc (copies of the carried gradients) and dgates [B, 4H], garbage where written. */
    private static Tensor[] state(Tensor dh0, Tensor dc0, int batch, int hid, DType dtype) {
        return new Tensor[] {Tensor.zeros(dtype, batch, hid).copy_(dh0), Tensor.zeros(dtype, batch, hid).copy_(dc0),
            Tensor.full(Double.NaN, batch, 4L * hid).to(dtype)};
    }
}
