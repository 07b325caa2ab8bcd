package dev.panamax.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RnnKernels#gruCellBackward} with every combination of absent outputs, one after another in one JVM (an absent
 * output goes to a sink, so the loops have no null tests): each present output has the bits it has when all three
 * are asked for, and those match a scalar reference of the GRU cell's backward, in float32 and float64, on 1 and 2
 * threads, ragged H.
 */
class GruCellBackwardTest {
    private static final String[] OUTPUTS = {"gradXw", "gradHw", "gradH"};

    @ParameterizedTest(name = "B={0} H={1} {2}")
    @CsvSource({"130, 33, FLOAT32", "4, 64, FLOAT32", "1, 7, FLOAT32", "130, 33, FLOAT64", "3, 7, FLOAT64"})
    void everyCombinationOfAbsentOutputsMatchesTheReference(int batch, int hid, DType dtype) {
        Generator gen = new Generator(43L * batch + hid);
        try (Scope s = Scope.open()) {
            Tensor act = Tensor.rand(gen, batch, 3L * hid).to(dtype); // r, z in [0, 1), n in [0, 1) will do
            Tensor hw = Tensor.randn(gen, batch, 3L * hid).to(dtype);
            Tensor h = Tensor.randn(gen, batch, hid).to(dtype);
            Tensor gradHNew = Tensor.randn(gen, batch, hid).to(dtype);
            double[][] expected = reference(act.toDoubleArray(), hw.toDoubleArray(), h.toDoubleArray(), gradHNew.toDoubleArray(),
                    batch, hid, dtype == DType.FLOAT32);
            for (int threads : new int[] {1, 2}) {
                for (int present = 1; present < 1 << OUTPUTS.length; present++) {
                    int p = present;
                    CpuThreads.run(threads, () -> {
                        Tensor[] out = {has(p, 0) ? nans(batch, 3L * hid, dtype) : null, has(p, 1) ? nans(batch, 3L * hid, dtype) : null,
                            has(p, 2) ? nans(batch, hid, dtype) : null};
                        RnnKernels.gruCellBackward(act.operand(), hw.operand(), h.operand(), gradHNew.operand(),
                                out[0] == null ? null : out[0].operand(), out[1] == null ? null : out[1].operand(),
                                out[2] == null ? null : out[2].operand());
                        for (int i = 0; i < OUTPUTS.length; i++) {
                            if (out[i] != null) {
                                assertArrayEquals(expected[i], out[i].toDoubleArray(),
                                        OUTPUTS[i] + " with outputs " + p + " (bits) on " + threads + " threads");
                            }
                        }
                    });
                }
            }
        }
    }

    private static Tensor nans(long rows, long cols, DType dtype) {
        return Tensor.full(Double.NaN, rows, cols).to(dtype);
    }

    /**
     * PyTorch's GRU backward with the pre-activations' gradients: dn = g·(1 − z)·(1 − n²), dr = dn·hn·r(1 − r),
     * dz = g·(h − n)·z(1 − z), gradH = g·z; gradXw = (dr, dz, dn), gradHw = (dr, dz, dn·r); rounded to float after
     * each operation when {@code single}, in the kernel's order.
     */
    private static double[][] reference(double[] act, double[] hw, double[] h, double[] g, int batch, int hid, boolean single) {
        double[] dx = new double[3 * batch * hid];
        double[] dw = new double[3 * batch * hid];
        double[] dh = new double[batch * hid];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hid; j++) {
                int k = b * hid + j;
                int a = 3 * b * hid + j;
                double r = act[a], z = act[a + hid], n = act[a + 2 * hid];
                dh[k] = round(g[k] * z, single);
                double dn = round(round(g[k] * round(1 - z, single), single) * round(1 - round(n * n, single), single), single);
                double dr = round(round(dn * hw[a + 2 * hid], single) * round(r * round(1 - r, single), single), single);
                double dz = round(round(g[k] * round(h[k] - n, single), single) * round(z * round(1 - z, single), single), single);
                dx[a] = dr;
                dx[a + hid] = dz;
                dx[a + 2 * hid] = dn;
                dw[a] = dr;
                dw[a + hid] = dz;
                dw[a + 2 * hid] = round(dn * r, single);
            }
        }
        return new double[][] {dx, dw, dh};
    }

    private static double round(double x, boolean single) {
        return single ? (float) x : x;
    }

    private static boolean has(int present, int output) {
        return (present & 1 << output) != 0;
    }
}
