package dev.panamax.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RnnKernels#lstmCellBackward} with every combination of absent carries, gradC and outputs, one after another
 * in one JVM (the cell's backward has no carries, a BPTT step has both), against a scalar reference that takes the
 * composed rule's operations in its order, rounded to the dtype after each: the same bits, signed zeros included
 * (−0 planted in every addend, so a sum of absent terms that came out −0 instead of +0 would show), in float32 and
 * float64, on 1 and 2 threads, ragged H.
 */
class LstmCellBackwardTest {
    private static final String[] OPERANDS = {"carryH", "gradC", "carryC", "gradGates", "gradCPrev"};

    @ParameterizedTest(name = "B={0} H={1} {2}")
    @CsvSource({"130, 33, FLOAT32", "4, 64, FLOAT32", "1, 7, FLOAT32", "130, 33, FLOAT64", "3, 7, FLOAT64"})
    void everyCombinationOfAbsentOperandsMatchesTheReference(int batch, int hid, DType dtype) {
        Generator gen = new Generator(41L * batch + hid);
        try (Scope s = Scope.open()) {
            Tensor[] saved = saved(gen, batch, hid, dtype);
            Tensor act = saved[0];
            Tensor c = saved[1];
            Tensor tanhC = saved[2];
            Tensor[] addends = new Tensor[4]; // gradH, carryH, gradC, carryC
            for (int i = 0; i < addends.length; i++) {
                addends[i] = withSignedZeros(Tensor.randn(gen, batch, hid).toDoubleArray(), batch, hid).to(dtype);
            }
            for (int threads : new int[] {1, 2}) {
                for (int present = 0; present < 1 << OPERANDS.length; present++) {
                    if ((present & 0b11000) == 0) {
                        continue; // no output: nothing to compute
                    }
                    int p = present;
                    CpuThreads.run(threads, () -> check(act, c, tanhC, addends, p, dtype, batch, hid, threads));
                }
            }
        }
    }

    /** What {@code lstmCell} saves for the backward, in dtype: act [B, 4H] in [0, 1), c [B, H], tanhC [B, H] in [−1, 1). */
    static Tensor[] saved(Generator gen, int batch, int hid, DType dtype) {
        return new Tensor[] {Tensor.rand(gen, batch, 4L * hid).to(dtype), Tensor.randn(gen, batch, hid).to(dtype),
            Tensor.rand(gen, batch, hid).mul(2).sub(1).to(dtype)};
    }

    private static void check(Tensor act, Tensor c, Tensor tanhC, Tensor[] addends, int present, DType dtype, int batch, int hid,
                              int threads) {
        Tensor gates = has(present, 3) ? Tensor.full(Double.NaN, batch, 4L * hid).to(dtype) : null;
        Tensor cPrev = has(present, 4) ? Tensor.full(Double.NaN, batch, hid).to(dtype) : null;
        RnnKernels.lstmCellBackward(act.operand(), c.operand(), tanhC.operand(), addends[0].operand(),
                operand(addends[1], has(present, 0)), operand(addends[2], has(present, 1)), operand(addends[3], has(present, 2)),
                gates == null ? null : gates.operand(), cPrev == null ? null : cPrev.operand());
        double[][] expected = reference(act.toDoubleArray(), c.toDoubleArray(), tanhC.toDoubleArray(), addends, present,
                dtype == DType.FLOAT32 ? x -> (float) x : x -> x, batch, hid);
        String where = describe(present) + " on " + threads + " threads";
        if (gates != null) {
            assertArrayEquals(expected[0], gates.toDoubleArray(), "gradGates, " + where);
        }
        if (cPrev != null) {
            assertArrayEquals(expected[1], cPrev.toDoubleArray(), "gradCPrev, " + where);
        }
    }

    /**
     * gradGates and gradCPrev: dh = gradH + carryH, dc = gradC + carryC (absent terms left out, +0 for none), dct =
     * dh·o·(1 − tc²) + dc, each operation rounded by {@code round} (to float exactly: a double result of +, −, ×
     * rounds to the correctly rounded float).
     */
    private static double[][] reference(double[] act, double[] c, double[] tanhC, Tensor[] addends, int present, DoubleUnaryOperator round,
                                        int batch, int hid) {
        double[] gradH = addends[0].toDoubleArray();
        double[] carryH = addends[1].toDoubleArray();
        double[] gradC = addends[2].toDoubleArray();
        double[] carryC = addends[3].toDoubleArray();
        double[] gates = new double[4 * batch * hid];
        double[] cPrev = new double[batch * hid];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hid; j++) {
                int k = b * hid + j;
                int a = 4 * b * hid + j;
                double i = act[a], f = act[a + hid], g = act[a + 2 * hid], o = act[a + 3 * hid], tc = tanhC[k];
                double dh = has(present, 0) ? round.applyAsDouble(gradH[k] + carryH[k]) : gradH[k];
                double dc = has(present, 1) && has(present, 2) ? round.applyAsDouble(gradC[k] + carryC[k])
                        : has(present, 1) ? gradC[k] : has(present, 2) ? carryC[k] : 0.0;
                double dct = round.applyAsDouble(product(round, dh, o, round.applyAsDouble(1 - round.applyAsDouble(tc * tc))) + dc);
                gates[a] = product(round, dct, g, round.applyAsDouble(i * round.applyAsDouble(1 - i)));
                gates[a + hid] = product(round, dct, c[k], round.applyAsDouble(f * round.applyAsDouble(1 - f)));
                gates[a + 2 * hid] = product(round, dct, i, round.applyAsDouble(1 - round.applyAsDouble(g * g)));
                gates[a + 3 * hid] = product(round, dh, tc, round.applyAsDouble(o * round.applyAsDouble(1 - o)));
                cPrev[k] = round.applyAsDouble(dct * f);
            }
        }
        return new double[][] {gates, cPrev};
    }

    /** (x·y)·z, rounded after each product. */
    private static double product(DoubleUnaryOperator round, double x, double y, double z) {
        return round.applyAsDouble(round.applyAsDouble(x * y) * z);
    }

    /** x [batch, hid] with −0 at every 5th element and +0 at every 7th (where both, +0). */
    private static Tensor withSignedZeros(double[] x, int batch, int hid) {
        for (int k = 0; k < x.length; k++) {
            if (k % 5 == 0) {
                x[k] = -0.0;
            }
            if (k % 7 == 0) {
                x[k] = 0.0;
            }
        }
        return Tensor.of(x, batch, hid);
    }

    private static boolean has(int present, int operand) {
        return (present & 1 << operand) != 0;
    }

    private static Operand operand(Tensor t, boolean present) {
        return present ? t.operand() : null;
    }

    private static String describe(int present) {
        StringBuilder s = new StringBuilder("with");
        for (int i = 0; i < OPERANDS.length; i++) {
            if (has(present, i)) {
                s.append(' ').append(OPERANDS[i]);
            }
        }
        return s.toString();
    }
}
