package dev.panamax.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.backend.Backend;
import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Operand;
import dev.panamax.backend.PreparedMatrix;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link CpuBackend#lstmStep}: the product written over the gates and xw + bias added in the cell's pass give
 * the same bits as the composed kernels of {@code Backend}'s default (add, product onto it, cell), on 1 and 2
 * threads, with and without bias, xw rows apart from each other, ragged H = 33, B = 1 and odd B; H = 1088
 * (two depth blocks of the product) falls back to the default.
 */
class LstmStepTest {
    @ParameterizedTest(name = "B={0} H={1} bias={2}")
    @CsvSource({"1, 64, true", "7, 128, false", "33, 256, true", "3, 1088, true", "5, 33, true", "2, 33, false"})
    void fusedStepEqualsTheComposedKernels(int batch, int hid, boolean withBias) {
        Generator gen = new Generator(31L * batch + hid);
        try (Scope s = Scope.open()) {
            Tensor h = Tensor.randn(gen, batch, hid);
            Tensor proj = Tensor.randn(gen, batch, 2, 4L * hid); // xw = its first half: rows 8H apart
            Tensor w = Tensor.randn(gen, 4L * hid, hid).mul(1 / Math.sqrt(hid));
            Tensor bias = Tensor.randn(gen, 4L * hid);
            Tensor c = Tensor.randn(gen, batch, hid);
            Operand xw = proj.select(1, 0).operand();
            Operand wo = w.operand();
            Operand b = withBias ? bias.operand().withLayout(new long[] {batch, 4L * hid}, new long[] {0, 1}, bias.operand().offset()) : null;
            Backend be = h.backend();
            for (int threads : new int[] {1, 2}) {
                CpuThreads.run(threads, () -> {
                    try (PreparedMatrix wt = be.prepareRight(wo.withLayout(new long[] {hid, 4L * hid}, new long[] {1, hid}, wo.offset()))) {
                        Tensor[] fused = outputs(batch, hid);
                        boolean tookFusedPath = RnnKernels.lstmStep(h.operand(), MatMulKernels.panels(wt), xw, b, c.operand(),
                                fused[0].operand(), fused[1].operand(), fused[2].operand(), fused[3].operand());
                        assertEquals(hid <= 1024, tookFusedPath, "fused path taken");
                        if (!tookFusedPath) {
                            be.lstmStep(h.operand(), wt, xw, b, c.operand(), fused[0].operand(), fused[1].operand(), fused[2].operand(),
                                    fused[3].operand());
                        }
                        Tensor[] composed = outputs(batch, hid);
                        Operand gates = composed[2].operand();
                        if (b == null) {
                            be.copy(xw, gates);
                        } else {
                            be.binary(BinaryOp.ADD, xw, b, gates);
                        }
                        be.matmulPrepared(h.operand(), wt, gates, true);
                        be.lstmCell(gates, c.operand(), composed[0].operand(), composed[1].operand(), gates, composed[3].operand());
                        String[] names = {"h", "c", "act", "tanh c"};
                        for (int i = 0; i < names.length; i++) {
                            assertArrayEquals(composed[i].toFloatArray(), fused[i].toFloatArray(), names[i] + " on " + threads + " threads");
                        }
                    }
                });
            }
        }
    }

    /** h', c' [B, H], gates [B, 4H] and tanh c' [B, H], filled with garbage the step must overwrite. */
    private static Tensor[] outputs(int batch, int hid) {
        return new Tensor[] {Tensor.full(Float.NaN, batch, hid), Tensor.full(Float.NaN, batch, hid), Tensor.full(Float.NaN, batch, 4L * hid),
            Tensor.full(Float.NaN, batch, hid)};
    }
}
