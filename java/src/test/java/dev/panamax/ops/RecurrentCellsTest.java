package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradCheck;
import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.Leaks;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fused LSTM and GRU gate ops (issue #8): against a scalar double reference and finite
 * differences (OpCheck), against the composed-op formulation Recurrence used before (forward bit
 * for bit, gradients to rounding), on 1 and 2 threads, with bad shapes and over many steps
 * without a leak.
 */
class RecurrentCellsTest {
    private final Generator gen = new Generator(808);

    // ---------------------------------------------------------------- references

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** [B, 2H]: h' then c' per row. */
    static Ref lstmRef(Ref gates, Ref c) {
        int b = (int) c.shape[0];
        int hid = (int) c.shape[1];
        Ref out = Ref.zeros(b, 2L * hid);
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < hid; j++) {
                double i = sigmoid(gates.get(r, j));
                double f = sigmoid(gates.get(r, hid + j));
                double g = Math.tanh(gates.get(r, 2L * hid + j));
                double o = sigmoid(gates.get(r, 3L * hid + j));
                double cn = f * c.get(r, j) + i * g;
                out.data[out.index(r, j)] = o * Math.tanh(cn);
                out.data[out.index(r, hid + j)] = cn;
            }
        }
        return out;
    }

    static Ref gruRef(Ref xw, Ref hw, Ref h) {
        int b = (int) h.shape[0];
        int hid = (int) h.shape[1];
        Ref out = Ref.zeros(b, hid);
        for (int k = 0; k < b; k++) {
            for (int j = 0; j < hid; j++) {
                double r = sigmoid(xw.get(k, j) + hw.get(k, j));
                double z = sigmoid(xw.get(k, hid + j) + hw.get(k, hid + j));
                double n = Math.tanh(xw.get(k, 2L * hid + j) + r * hw.get(k, 2L * hid + j));
                out.data[out.index(k, j)] = (1 - z) * n + z * h.get(k, j);
            }
        }
        return out;
    }

    private static Tensor lstmJoined(Tensor gates, Tensor c) {
        Tensor[] hc = RecurrentCells.lstmCell(gates, c);
        try (Tensor h = hc[0]; Tensor cn = hc[1]) {
            return Tensor.cat(List.of(h, cn), 1);
        }
    }

    /** The composed formulation Recurrence used before the fused op. */
    static Tensor[] lstmComposed(Tensor gates, Tensor c) {
        long hid = c.size(1);
        try (Tensor ifPre = gates.narrow(1, 0, 2 * hid); Tensor ifGate = ifPre.sigmoid();
             Tensor i = ifGate.narrow(1, 0, hid); Tensor f = ifGate.narrow(1, hid, hid);
             Tensor gPre = gates.narrow(1, 2 * hid, hid); Tensor g = gPre.tanh();
             Tensor oPre = gates.narrow(1, 3 * hid, hid); Tensor o = oPre.sigmoid();
             Tensor fc = f.mul(c); Tensor ig = i.mul(g)) {
            Tensor cNew = fc.add(ig);
            try (Tensor tc = cNew.tanh()) {
                return new Tensor[] {o.mul(tc), cNew};
            }
        }
    }

    static Tensor gruComposed(Tensor xw, Tensor hw, Tensor h) {
        long hid = h.size(1);
        try (Tensor xrz = xw.narrow(1, 0, 2 * hid); Tensor hrz = hw.narrow(1, 0, 2 * hid);
             Tensor rzPre = xrz.add(hrz); Tensor rz = rzPre.sigmoid();
             Tensor r = rz.narrow(1, 0, hid); Tensor z = rz.narrow(1, hid, hid);
             Tensor hn = hw.narrow(1, 2 * hid, hid); Tensor rhn = r.mul(hn);
             Tensor xn = xw.narrow(1, 2 * hid, hid); Tensor nPre = xn.add(rhn); Tensor n = nPre.tanh();
             Tensor hMinusN = h.sub(n); Tensor zd = z.mul(hMinusN)) {
            return n.add(zd);
        }
    }

    // ---------------------------------------------------------------- reference parity

    @Test
    void lstmCellMatchesTheDoubleReferenceAndFiniteDifferences() {
        try (Scope s = Scope.open()) {
            // H = 5: all tail; H = 37: whole vectors and a tail (L is 8 or 16)
            for (long[] bh : new long[][] {{3, 5}, {2, 37}, {1, 1}}) {
                Tensor gates = Tensor.randn(gen, bh[0], 4 * bh[1]).mul(2.0);
                Tensor c = Tensor.randn(gen, bh[0], bh[1]);
                OpCheck.check("lstmCell " + bh[0] + "x" + bh[1], t -> lstmJoined(t[0], t[1]), r -> lstmRef(r[0], r[1]), gates, c);
            }
            Tensor gates = Tensor.randn(gen, 2, 12);
            Tensor c = Tensor.randn(gen, 2, 3);
            OpCheck.check("lstmCell strided", t -> lstmJoined(OpCheck.strided(t[0]), OpCheck.strided(t[1])),
                    r -> lstmRef(r[0], r[1]), gates, c);
        }
    }

    @Test
    void gruCellMatchesTheDoubleReferenceAndFiniteDifferences() {
        try (Scope s = Scope.open()) {
            for (long[] bh : new long[][] {{3, 5}, {2, 37}, {1, 1}}) {
                Tensor xw = Tensor.randn(gen, bh[0], 3 * bh[1]).mul(1.5);
                Tensor hw = Tensor.randn(gen, bh[0], 3 * bh[1]).mul(1.5);
                Tensor h = Tensor.randn(gen, bh[0], bh[1]);
                OpCheck.check("gruCell " + bh[0] + "x" + bh[1], t -> RecurrentCells.gruCell(t[0], t[1], t[2]),
                        r -> gruRef(r[0], r[1], r[2]), xw, hw, h);
            }
            Tensor xw = Tensor.randn(gen, 2, 9);
            Tensor hw = Tensor.randn(gen, 2, 9);
            Tensor h = Tensor.randn(gen, 2, 3);
            OpCheck.check("gruCell strided", t -> RecurrentCells.gruCell(OpCheck.strided(t[0]), OpCheck.strided(t[1]), OpCheck.strided(t[2])),
                    r -> gruRef(r[0], r[1], r[2]), xw, hw, h);
        }
    }

    @Test
    void gradCheckOfEachOutputAlone() {
        try (Scope s = Scope.open()) {
            Tensor gates = Tensor.randn(gen, 2, 4 * 6).to(DType.FLOAT64);
            Tensor c = Tensor.randn(gen, 2, 6).to(DType.FLOAT64);
            GradCheck.check(t -> RecurrentCells.lstmCell(t[0], t[1])[0], gates, c);
            GradCheck.check(t -> RecurrentCells.lstmCell(t[0], t[1])[1], gates, c);
            Tensor xw = Tensor.randn(gen, 2, 18).to(DType.FLOAT64);
            Tensor hw = Tensor.randn(gen, 2, 18).to(DType.FLOAT64);
            Tensor h = Tensor.randn(gen, 2, 6).to(DType.FLOAT64);
            GradCheck.check(t -> RecurrentCells.gruCell(t[0], t[1], t[2]), xw, hw, h);
        }
    }

    // ---------------------------------------------------------------- against the composed ops

    @Test
    void lstmCellEqualsTheComposedOps() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long hid : new long[] {33, 512}) {
                try (Scope s = Scope.open()) {
                    long b = 4;
                    Tensor gates = Tensor.randn(gen, b, 4 * hid).mul(2.0).to(dtype).requiresGrad(true);
                    Tensor c = Tensor.randn(gen, b, hid).to(dtype).requiresGrad(true);
                    Tensor wh = Tensor.randn(gen, b, hid).to(dtype);
                    Tensor wc = Tensor.randn(gen, b, hid).to(dtype);
                    Tensor[] fused = RecurrentCells.lstmCell(gates, c);
                    Tensor[] composed = lstmComposed(gates, c);
                    String what = "lstm " + dtype.pyName() + " H=" + hid;
                    // same activations and the same products and sums in the same order: the same bits
                    assertArrayEquals(composed[0].toDoubleArray(), fused[0].toDoubleArray(), what + " h'");
                    assertArrayEquals(composed[1].toDoubleArray(), fused[1].toDoubleArray(), what + " c'");
                    Tensor[] gf = grads(fused[0].mul(wh).sum().add(fused[1].mul(wc).sum()), gates, c);
                    Tensor[] gc = grads(composed[0].mul(wh).sum().add(composed[1].mul(wc).sum()), gates, c);
                    double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                    assertClose(what + " dgates", gc[0], gf[0], tol);
                    assertClose(what + " dc", gc[1], gf[1], tol);
                    // gradient through h' alone and through c' alone
                    assertClose(what + " dgates via h'", grads(composed[0].mul(wh).sum(), gates)[0], grads(fused[0].mul(wh).sum(), gates)[0], tol);
                    assertClose(what + " dc via c'", grads(composed[1].mul(wc).sum(), c)[0], grads(fused[1].mul(wc).sum(), c)[0], tol);
                }
            }
        }
    }

    @Test
    void gruCellEqualsTheComposedOps() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long hid : new long[] {33, 512}) {
                try (Scope s = Scope.open()) {
                    long b = 4;
                    Tensor xw = Tensor.randn(gen, b, 3 * hid).mul(1.5).to(dtype).requiresGrad(true);
                    Tensor hw = Tensor.randn(gen, b, 3 * hid).mul(1.5).to(dtype).requiresGrad(true);
                    Tensor h = Tensor.randn(gen, b, hid).to(dtype).requiresGrad(true);
                    Tensor w = Tensor.randn(gen, b, hid).to(dtype);
                    Tensor fused = RecurrentCells.gruCell(xw, hw, h);
                    Tensor composed = gruComposed(xw, hw, h);
                    String what = "gru " + dtype.pyName() + " H=" + hid;
                    assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), what + " h'");
                    Tensor[] gf = grads(fused.mul(w).sum(), xw, hw, h);
                    Tensor[] gc = grads(composed.mul(w).sum(), xw, hw, h);
                    double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
                    assertClose(what + " dxw", gc[0], gf[0], tol);
                    assertClose(what + " dhw", gc[1], gf[1], tol);
                    assertClose(what + " dh", gc[2], gf[2], tol);
                }
            }
        }
    }

    private static Tensor[] grads(Tensor loss, Tensor... inputs) {
        return dev.panamax.autograd.Autograd.grad(loss, null, true, false, inputs);
    }

    private static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol * (1 + Math.abs(e[i])), what + " at " + i + ": " + e[i] + " vs " + a[i]);
        }
    }

    // ---------------------------------------------------------------- threads, empty, no grad

    @Test
    void sameBitsOnOneAndTwoThreads() {
        try (Scope s = Scope.open()) {
            Tensor gates = Tensor.randn(gen, 64, 4 * 96).requiresGrad(true);
            Tensor c = Tensor.randn(gen, 64, 96).requiresGrad(true);
            Tensor xw = Tensor.randn(gen, 64, 3 * 96).requiresGrad(true);
            Tensor hw = Tensor.randn(gen, 64, 3 * 96).requiresGrad(true);
            double[][] results = new double[2][];
            for (int t : new int[] {1, 2}) {
                CpuThreads.run(t, () -> {
                    Tensor[] hc = RecurrentCells.lstmCell(gates, c);
                    Tensor g = RecurrentCells.gruCell(xw, hw, c);
                    Tensor[] gr = grads(hc[0].sum().add(hc[1].mul(hc[1]).sum()).add(g.mul(g).sum()), gates, c, xw, hw);
                    results[t - 1] = concat(hc[0], hc[1], g, gr[0], gr[1], gr[2], gr[3]);
                });
            }
            assertArrayEquals(results[0], results[1]);
        }
    }

    private static double[] concat(Tensor... ts) {
        return java.util.Arrays.stream(ts).flatMapToDouble(t -> java.util.Arrays.stream(t.toDoubleArray())).toArray();
    }

    @Test
    void emptyBatchAndNoGradMode() {
        try (Scope s = Scope.open()) {
            Tensor[] hc = RecurrentCells.lstmCell(Tensor.zeros(0, 8), Tensor.zeros(0, 2));
            assertArrayEquals(new long[] {0, 2}, hc[0].shape().toArray());
            assertArrayEquals(new long[] {0, 2}, hc[1].shape().toArray());
            assertArrayEquals(new long[] {0, 2}, RecurrentCells.gruCell(Tensor.zeros(0, 6), Tensor.zeros(0, 6), Tensor.zeros(0, 2)).shape().toArray());
            Tensor gates = Tensor.randn(gen, 2, 8).requiresGrad(true);
            try (var ignored = dev.panamax.autograd.GradMode.set(false)) {
                Tensor[] out = RecurrentCells.lstmCell(gates, Tensor.zeros(2, 2));
                assertFalse(out[0].requiresGrad());
                assertFalse(out[1].requiresGrad());
            }
        }
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badShapesAndTypesSayWhatIsWrong() {
        try (Scope s = Scope.open()) {
            assertMessage(() -> RecurrentCells.lstmCell(Tensor.zeros(2, 7), Tensor.zeros(2, 2)), "lstmCell", "[2, 8]", "[2, 7]");
            assertMessage(() -> RecurrentCells.lstmCell(Tensor.zeros(3, 8), Tensor.zeros(2, 2)), "lstmCell", "[2, 8]", "[3, 8]");
            assertMessage(() -> RecurrentCells.lstmCell(Tensor.zeros(8), Tensor.zeros(2, 2)), "lstmCell", "gates", "2-D");
            assertMessage(() -> RecurrentCells.lstmCell(Tensor.zeros(2, 8), Tensor.zeros(DType.FLOAT64, 2, 2)), "lstmCell", "float32",
                    "float64");
            assertMessage(() -> RecurrentCells.lstmCell(Tensor.zeros(DType.INT64, 2, 8), Tensor.zeros(2, 2)), "lstmCell", "gates",
                    "floating-point");
            assertMessage(() -> RecurrentCells.gruCell(Tensor.zeros(2, 6), Tensor.zeros(2, 9), Tensor.zeros(2, 2)), "gruCell", "[2, 6]",
                    "hw [2, 9]");
            assertMessage(() -> RecurrentCells.gruCell(Tensor.zeros(2, 6), Tensor.zeros(2, 6), Tensor.zeros(2, 2, 1)), "gruCell", "h",
                    "2-D");
            assertMessage(() -> RecurrentCells.gruCell(Tensor.zeros(2, 6), Tensor.zeros(DType.FLOAT64, 2, 6), Tensor.zeros(2, 2)),
                    "gruCell", "hw", "float64");
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message \"" + e.getMessage() + "\" should mention " + p);
        }
    }

    // ---------------------------------------------------------------- lifetime

    @Test
    void manyStepsLeaveNothingBehind() {
        MemoryStats before = Leaks.baseline();
        Tensor gates = Tensor.randn(gen, 3, 4 * 10).requiresGrad(true);
        Tensor xw = Tensor.randn(gen, 3, 30).requiresGrad(true);
        Tensor hw = Tensor.randn(gen, 3, 30).requiresGrad(true);
        Tensor c = Tensor.zeros(3, 10);
        Tensor h = Tensor.zeros(3, 10);
        for (int step = 0; step < 30; step++) {
            Tensor[] hc = RecurrentCells.lstmCell(gates, c);
            Tensor hg = RecurrentCells.gruCell(xw, hw, h);
            try (Tensor l1 = hc[0].sum(); Tensor l2 = hg.sum(); Tensor loss = l1.add(l2)) {
                loss.backward();
            }
            hc[0].close();
            c.close();
            c = hc[1].detach();
            hc[1].close();
            h.close();
            h = hg.detach();
            hg.close();
            // an inference step and a step whose graph is dropped without a backward
            try (var ignored = dev.panamax.autograd.GradMode.set(false)) {
                for (Tensor t : RecurrentCells.lstmCell(gates, c)) {
                    t.close();
                }
            }
            RecurrentCells.gruCell(xw, hw, h).close();
        }
        for (Tensor t : new Tensor[] {gates, xw, hw, c, h}) {
            t.close();
        }
        Leaks.assertNoneSince(before, "30 fused LSTM and GRU steps");
    }

    // ---------------------------------------------------------------- whole sequences

    /** lstmSequence as a loop of lstmCell steps (each its own graph node): y [2, T, B, H]. */
    static Tensor sequenceByCells(Tensor proj, Tensor h0, Tensor c0, Tensor wHh, Tensor bHh, boolean reverse) {
        long steps = proj.size(0);
        Tensor[] hs = new Tensor[(int) steps];
        Tensor[] cs = new Tensor[(int) steps];
        Tensor h = h0.alias();
        Tensor c = c0.alias();
        for (long k = 0; k < steps; k++) {
            int t = (int) (reverse ? steps - 1 - k : k);
            Tensor[] hc;
            try (Tensor xw = proj.select(0, t); Tensor hw = LinearAlgebra.linear(h, wHh, bHh); Tensor gates = xw.add(hw)) {
                hc = RecurrentCells.lstmCell(gates, c);
            }
            h.close();
            c.close();
            hs[t] = hc[0];
            cs[t] = hc[1];
            h = hc[0].alias();
            c = hc[1].alias();
        }
        h.close();
        c.close();
        try (Tensor hStack = Tensor.stack(List.of(hs), 0); Tensor cStack = Tensor.stack(List.of(cs), 0)) {
            for (int t = 0; t < steps; t++) {
                hs[t].close();
                cs[t].close();
            }
            return Tensor.stack(List.of(hStack, cStack), 0);
        }
    }

    @Test
    void lstmSequenceEqualsALoopOfCells() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (boolean reverse : new boolean[] {false, true}) {
                for (long steps : new long[] {1, 6}) {
                    try (Scope s = Scope.open()) {
                        long b = 3;
                        long hid = 19;
                        Tensor proj = Tensor.randn(gen, steps, b, 4 * hid).to(dtype).requiresGrad(true);
                        Tensor h0 = Tensor.randn(gen, b, hid).to(dtype).requiresGrad(true);
                        Tensor c0 = Tensor.randn(gen, b, hid).to(dtype).requiresGrad(true);
                        Tensor w = Tensor.randn(gen, 4 * hid, hid).mul(0.3).to(dtype).requiresGrad(true);
                        Tensor bias = Tensor.randn(gen, 4 * hid).to(dtype).requiresGrad(true);
                        Tensor proj2 = Tensor.randn(gen, 2, steps, b, hid).to(dtype);
                        String what = "lstmSequence " + dtype.pyName() + " reverse=" + reverse + " T=" + steps;
                        Tensor fused = RecurrentCells.lstmSequence(proj, h0, c0, w, bias, reverse);
                        Tensor loop = sequenceByCells(proj, h0, c0, w, bias, reverse);
                        double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-13;
                        assertClose(what + " y", loop, fused, tol);
                        Tensor[] gf = grads(fused.mul(proj2).sum(), proj, h0, c0, w, bias);
                        Tensor[] gl = grads(loop.mul(proj2).sum(), proj, h0, c0, w, bias);
                        String[] names = {"dproj", "dh0", "dc0", "dwHh", "dbHh"};
                        for (int i = 0; i < names.length; i++) {
                            assertClose(what + " " + names[i], gl[i], gf[i], tol * 10);
                        }
                    }
                }
            }
        }
    }

    /** Without a graph the steps share one step's activation buffers: h and c keep the bits of a recording forward. */
    @Test
    @SuppressWarnings("try") // noGrad is a mode, not a resource the body uses
    void lstmSequenceWithoutAGraphEqualsARecordingOne() {
        for (boolean reverse : new boolean[] {false, true}) {
            try (Scope s = Scope.open()) {
                long steps = 5;
                long b = 3;
                long hid = 33;
                Tensor proj = Tensor.randn(gen, steps, b, 4 * hid).requiresGrad(true);
                Tensor h0 = Tensor.randn(gen, b, hid);
                Tensor c0 = Tensor.randn(gen, b, hid);
                Tensor w = Tensor.randn(gen, 4 * hid, hid).mul(0.3);
                Tensor bias = Tensor.randn(gen, 4 * hid);
                Tensor recorded = RecurrentCells.lstmSequence(proj, h0, c0, w, bias, reverse);
                assertTrue(recorded.requiresGrad(), "the recording forward has a graph");
                Tensor inferred;
                try (GradMode.Guard noGrad = GradMode.noGrad()) {
                    inferred = RecurrentCells.lstmSequence(proj, h0, c0, w, bias, reverse);
                }
                assertFalse(inferred.requiresGrad(), "no graph under noGrad");
                assertArrayEquals(recorded.toFloatArray(), inferred.toFloatArray(), "reverse=" + reverse);
            }
        }
    }

    @Test
    void lstmSequenceGradCheckNoBiasAndStridedProj() {
        try (Scope s = Scope.open()) {
            Tensor proj = Tensor.randn(gen, 3, 2, 4 * 4).to(DType.FLOAT64); // used as [B=3, T=2] transposed to [T, B]
            Tensor h0 = Tensor.randn(gen, 3, 4).to(DType.FLOAT64);
            Tensor c0 = Tensor.randn(gen, 3, 4).to(DType.FLOAT64);
            Tensor w = Tensor.randn(gen, 16, 4).mul(0.5).to(DType.FLOAT64);
            Tensor bias = Tensor.randn(gen, 16).to(DType.FLOAT64);
            for (boolean reverse : new boolean[] {false, true}) {
                GradCheck.check(t -> RecurrentCells.lstmSequence(t[0].transpose(0, 1), t[1], t[2], t[3], null, reverse), proj, h0, c0, w);
                GradCheck.check(t -> RecurrentCells.lstmSequence(t[0].transpose(0, 1), t[1], t[2], t[3], t[4], reverse), proj, h0, c0, w, bias);
            }
            assertMessage(() -> RecurrentCells.lstmSequence(Tensor.zeros(2, 3, 16), Tensor.zeros(3, 4), Tensor.zeros(3, 4),
                    Tensor.zeros(16, 5), null, false), "lstmSequence", "wHh [16, 5]");
            assertMessage(() -> RecurrentCells.lstmSequence(Tensor.zeros(0, 3, 16), Tensor.zeros(3, 4), Tensor.zeros(3, 4),
                    Tensor.zeros(16, 4), null, false), "lstmSequence", "no steps");
        }
    }

    @Test
    void lstmSequenceLeavesNothingBehind() {
        MemoryStats before = Leaks.baseline();
        Tensor w = Tensor.randn(gen, 40, 10).mul_(0.3).requiresGrad(true);
        Tensor bias = Tensor.randn(gen, 40).requiresGrad(true);
        Tensor proj = Tensor.randn(gen, 5, 3, 40).requiresGrad(true);
        Tensor h0 = Tensor.zeros(3, 10);
        Tensor c0 = Tensor.zeros(3, 10);
        for (int step = 0; step < 20; step++) {
            try (Tensor y = RecurrentCells.lstmSequence(proj, h0, c0, w, bias, step % 2 == 1); Tensor loss = y.sum()) {
                loss.backward();
            }
            RecurrentCells.lstmSequence(proj, h0, c0, w, bias, false).close();
        }
        for (Tensor t : new Tensor[] {w, bias, proj, h0, c0}) {
            t.close();
        }
        Leaks.assertNoneSince(before, "20 fused LSTM sequences");
    }

    /** gruSequence as a loop of gruCell steps: y [T, B, H]. */
    static Tensor gruByCells(Tensor proj, Tensor h0, Tensor wHh, Tensor bHh, boolean reverse) {
        long steps = proj.size(0);
        Tensor[] hs = new Tensor[(int) steps];
        Tensor h = h0.alias();
        for (long k = 0; k < steps; k++) {
            int t = (int) (reverse ? steps - 1 - k : k);
            try (Tensor xw = proj.select(0, t); Tensor hw = LinearAlgebra.linear(h, wHh, bHh)) {
                hs[t] = RecurrentCells.gruCell(xw, hw, h);
            }
            h.close();
            h = hs[t].alias();
        }
        h.close();
        try {
            return Tensor.stack(List.of(hs), 0);
        } finally {
            for (Tensor t : hs) {
                t.close();
            }
        }
    }

    @Test
    void gruSequenceEqualsALoopOfCells() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (boolean reverse : new boolean[] {false, true}) {
                for (long steps : new long[] {1, 6}) {
                    try (Scope s = Scope.open()) {
                        long b = 3;
                        long hid = 19;
                        Tensor proj = Tensor.randn(gen, steps, b, 3 * hid).to(dtype).requiresGrad(true);
                        Tensor h0 = Tensor.randn(gen, b, hid).to(dtype).requiresGrad(true);
                        Tensor w = Tensor.randn(gen, 3 * hid, hid).mul(0.3).to(dtype).requiresGrad(true);
                        Tensor bias = Tensor.randn(gen, 3 * hid).to(dtype).requiresGrad(true);
                        Tensor proj2 = Tensor.randn(gen, steps, b, hid).to(dtype);
                        String what = "gruSequence " + dtype.pyName() + " reverse=" + reverse + " T=" + steps;
                        Tensor fused = RecurrentCells.gruSequence(proj, h0, w, bias, reverse);
                        Tensor loop = gruByCells(proj, h0, w, bias, reverse);
                        double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-13;
                        assertClose(what + " y", loop, fused, tol);
                        Tensor[] gf = grads(fused.mul(proj2).sum(), proj, h0, w, bias);
                        Tensor[] gl = grads(loop.mul(proj2).sum(), proj, h0, w, bias);
                        String[] names = {"dproj", "dh0", "dwHh", "dbHh"};
                        for (int i = 0; i < names.length; i++) {
                            assertClose(what + " " + names[i], gl[i], gf[i], tol * 10);
                        }
                    }
                }
            }
        }
    }

    @Test
    void gruSequenceGradCheckStridedProjAndLeaks() {
        try (Scope s = Scope.open()) {
            Tensor proj = Tensor.randn(gen, 3, 2, 12).to(DType.FLOAT64); // used as [B=3, T=2] transposed to [T, B]
            Tensor h0 = Tensor.randn(gen, 3, 4).to(DType.FLOAT64);
            Tensor w = Tensor.randn(gen, 12, 4).mul(0.5).to(DType.FLOAT64);
            Tensor bias = Tensor.randn(gen, 12).to(DType.FLOAT64);
            for (boolean reverse : new boolean[] {false, true}) {
                GradCheck.check(t -> RecurrentCells.gruSequence(t[0].transpose(0, 1), t[1], t[2], null, reverse), proj, h0, w);
                GradCheck.check(t -> RecurrentCells.gruSequence(t[0].transpose(0, 1), t[1], t[2], t[3], reverse), proj, h0, w, bias);
            }
            assertMessage(() -> RecurrentCells.gruSequence(Tensor.zeros(2, 3, 12), Tensor.zeros(3, 4), Tensor.zeros(12, 5), null, false),
                    "gruSequence", "wHh [12, 5]");
        }
        MemoryStats before = Leaks.baseline();
        Tensor w = Tensor.randn(gen, 30, 10).mul_(0.3).requiresGrad(true);
        Tensor proj = Tensor.randn(gen, 5, 3, 30).requiresGrad(true);
        Tensor h0 = Tensor.zeros(3, 10);
        for (int step = 0; step < 20; step++) {
            try (Tensor y = RecurrentCells.gruSequence(proj, h0, w, null, step % 2 == 1); Tensor loss = y.sum()) {
                loss.backward();
            }
            RecurrentCells.gruSequence(proj, h0, w, null, false).close();
        }
        for (Tensor t : new Tensor[] {w, proj, h0}) {
            t.close();
        }
        Leaks.assertNoneSince(before, "20 fused GRU sequences");
    }

    @Test
    void rnnSequenceMatchesTheStepFormulaGradCheckAndLeaks() {
        // h_t = act(proj_t + b_hh + h_{t-1} W_hhᵀ), in double, for both activations and directions
        try (Scope s = Scope.open()) {
            Tensor proj = Tensor.randn(gen, 3, 2, 4).to(DType.FLOAT64); // used as [B=3, T=2] transposed to [T, B]
            Tensor h0 = Tensor.randn(gen, 3, 4).to(DType.FLOAT64);
            Tensor w = Tensor.randn(gen, 4, 4).mul(0.5).to(DType.FLOAT64);
            Tensor bias = Tensor.randn(gen, 4).to(DType.FLOAT64);
            for (boolean relu : new boolean[] {false, true}) {
                for (boolean reverse : new boolean[] {false, true}) {
                    Tensor timeMajor = proj.transpose(0, 1);
                    Tensor y = RecurrentCells.rnnSequence(timeMajor, h0, w, bias, relu, reverse);
                    Tensor h = h0;
                    for (int k = 0; k < 2; k++) {
                        int t = reverse ? 1 - k : k;
                        Tensor pre = timeMajor.select(0, t).add(bias).add(h.matmul(w.transpose(0, 1)));
                        h = relu ? pre.relu() : pre.tanh();
                        assertClose("rnnSequence relu=" + relu + " reverse=" + reverse + " t=" + t, h, y.select(0, t), 1e-12);
                    }
                    GradCheck.check(t -> RecurrentCells.rnnSequence(t[0].transpose(0, 1), t[1], t[2], t[3], relu, reverse), proj, h0, w, bias);
                    GradCheck.check(t -> RecurrentCells.rnnSequence(t[0].transpose(0, 1), t[1], t[2], null, relu, reverse), proj, h0, w);
                }
            }
            assertMessage(() -> RecurrentCells.rnnSequence(Tensor.zeros(2, 3, 4), Tensor.zeros(3, 4), Tensor.zeros(4, 5), null, false, false),
                    "rnnSequence", "wHh [4, 5]");
        }
        MemoryStats before = Leaks.baseline();
        Tensor w = Tensor.randn(gen, 10, 10).mul_(0.3).requiresGrad(true);
        Tensor proj = Tensor.randn(gen, 5, 3, 10).requiresGrad(true);
        Tensor h0 = Tensor.zeros(3, 10);
        for (int step = 0; step < 20; step++) {
            try (Tensor y = RecurrentCells.rnnSequence(proj, h0, w, null, step % 2 == 1, step % 4 < 2); Tensor loss = y.sum()) {
                loss.backward();
            }
        }
        for (Tensor t : new Tensor[] {w, proj, h0}) {
            t.close();
        }
        Leaks.assertNoneSince(before, "20 fused RNN sequences");
    }
}
