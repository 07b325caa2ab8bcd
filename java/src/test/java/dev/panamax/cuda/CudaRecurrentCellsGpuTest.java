package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.ops.RecurrentCells;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fused LSTM and GRU gate ops (native/src/rnn.cu) agree with the CPU kernels on float32 and
 * float64: outputs and the gradients of every input, through both LSTM outputs and each alone,
 * for a hidden size that is a multiple of nothing (37) and for 1; so do the whole-sequence LSTM
 * and GRU ops (their GEMMs on cuBLAS with transposed operands) in both directions; nothing leaks on the device.
 */
@Tag("gpu")
class CudaRecurrentCellsGpuTest {
    private static final long[][] SIZES = {{5, 37}, {3, 1}, {64, 512}};

    /** CudaParity's comparison: tolScale 1 for the pointwise kernels, more for results that chain GEMMs over the steps. */
    private static void assertClose(Tensor expected, Tensor actual, double tolScale, String what) {
        CudaParity.assertClose(what, expected, actual, tolScale);
    }

    /** Leaves on the CPU and their copies on the GPU, all requiring grad. */
    private static Tensor[][] leaves(Device gpu, DType dtype, Generator gen, long[]... shapes) {
        Tensor[][] r = new Tensor[2][shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            r[0][i] = Tensor.randn(gen, shapes[i]).mul(1.5).to(dtype).requiresGrad(true);
            r[1][i] = r[0][i].detach().to(gpu).requiresGrad(true);
        }
        return r;
    }

    @Test
    void lstmCellMatchesTheCpu() {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long[] bh : SIZES) {
                try (Scope s = Scope.open()) {
                    long b = bh[0];
                    long hid = bh[1];
                    Generator gen = new Generator(hid);
                    Tensor[][] in = leaves(gpu, dtype, gen, new long[] {b, 4 * hid}, new long[] {b, hid});
                    Tensor wh = Tensor.randn(gen, b, hid).to(dtype);
                    Tensor wc = Tensor.randn(gen, b, hid).to(dtype);
                    String what = "lstmCell " + dtype.pyName() + " " + b + "x" + hid;
                    Tensor[] cpu = RecurrentCells.lstmCell(in[0][0], in[0][1]);
                    Tensor[] dev = RecurrentCells.lstmCell(in[1][0], in[1][1]);
                    assertEquals(gpu, dev[0].device());
                    assertClose(cpu[0], dev[0], 1, what + " h'");
                    assertClose(cpu[1], dev[1], 1, what + " c'");
                    Tensor[] gc = Autograd.grad(cpu[0].mul(wh).sum().add(cpu[1].mul(wc).sum()), null, true, false, in[0]);
                    Tensor[] gd = Autograd.grad(dev[0].mul(wh.to(gpu)).sum().add(dev[1].mul(wc.to(gpu)).sum()), null, true, false, in[1]);
                    assertClose(gc[0], gd[0], 1, what + " dgates");
                    assertClose(gc[1], gd[1], 1, what + " dc");
                    // through h' alone (c' gets a zero gradient) and through c' alone
                    Tensor[] hOnly = Autograd.grad(dev[0].mul(wh.to(gpu)).sum(), null, true, false, in[1]);
                    Tensor[] hOnlyCpu = Autograd.grad(cpu[0].mul(wh).sum(), null, true, false, in[0]);
                    assertClose(hOnlyCpu[0], hOnly[0], 1, what + " dgates via h'");
                    assertClose(hOnlyCpu[1], hOnly[1], 1, what + " dc via h'");
                    Tensor[] cOnly = Autograd.grad(dev[1].mul(wc.to(gpu)).sum(), null, true, false, in[1]);
                    Tensor[] cOnlyCpu = Autograd.grad(cpu[1].mul(wc).sum(), null, true, false, in[0]);
                    assertClose(cOnlyCpu[0], cOnly[0], 1, what + " dgates via c'");
                    assertClose(cOnlyCpu[1], cOnly[1], 1, what + " dc via c'");
                }
            }
        }
        Leaks.assertNoneSince(before, "fused LSTM cells on " + gpu);
    }

    @Test
    void gruCellMatchesTheCpu() {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long[] bh : SIZES) {
                try (Scope s = Scope.open()) {
                    long b = bh[0];
                    long hid = bh[1];
                    Generator gen = new Generator(100 + hid);
                    Tensor[][] in = leaves(gpu, dtype, gen, new long[] {b, 3 * hid}, new long[] {b, 3 * hid}, new long[] {b, hid});
                    Tensor w = Tensor.randn(gen, b, hid).to(dtype);
                    String what = "gruCell " + dtype.pyName() + " " + b + "x" + hid;
                    Tensor cpu = RecurrentCells.gruCell(in[0][0], in[0][1], in[0][2]);
                    Tensor dev = RecurrentCells.gruCell(in[1][0], in[1][1], in[1][2]);
                    assertEquals(gpu, dev.device());
                    assertClose(cpu, dev, 1, what + " h'");
                    Tensor[] gc = Autograd.grad(cpu.mul(w).sum(), null, false, false, in[0]);
                    Tensor[] gd = Autograd.grad(dev.mul(w.to(gpu)).sum(), null, false, false, in[1]);
                    assertClose(gc[0], gd[0], 1, what + " dxw");
                    assertClose(gc[1], gd[1], 1, what + " dhw");
                    assertClose(gc[2], gd[2], 1, what + " dh");
                }
            }
        }
        Leaks.assertNoneSince(before, "fused GRU cells on " + gpu);
    }

    @Test
    void inferenceAndEmptyBatch() {
        Device gpu = GpuDevice.get();
        try (Scope s = Scope.open(); GradMode.Guard ignored = GradMode.set(false)) {
            Tensor gates = Tensor.randn(new Generator(5), 4, 12);
            Tensor c = Tensor.randn(new Generator(6), 4, 3);
            Tensor[] cpu = RecurrentCells.lstmCell(gates, c);
            Tensor[] dev = RecurrentCells.lstmCell(gates.to(gpu), c.to(gpu));
            assertFalse(dev[0].requiresGrad());
            assertClose(cpu[0], dev[0], 1, "inference h'");
            assertClose(cpu[1], dev[1], 1, "inference c'");
            Tensor[] empty = RecurrentCells.lstmCell(Tensor.zeros(0, 8).to(gpu), Tensor.zeros(0, 2).to(gpu));
            assertArrayEquals(new long[] {0, 2}, empty[1].shape().toArray());
            Tensor g = RecurrentCells.gruCell(Tensor.zeros(0, 6).to(gpu), Tensor.zeros(0, 6).to(gpu), Tensor.zeros(0, 2).to(gpu));
            assertArrayEquals(new long[] {0, 2}, g.shape().toArray());
        }
    }

    @Test
    void lstmSequenceMatchesTheCpu() {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long[] tbh : new long[][] {{7, 4, 37}, {1, 3, 5}, {20, 64, 256}}) {
                for (boolean reverse : new boolean[] {false, true}) {
                    try (Scope s = Scope.open()) {
                        long steps = tbh[0];
                        long b = tbh[1];
                        long hid = tbh[2];
                        Generator gen = new Generator(steps * 1000 + hid);
                        Tensor[][] in = leaves(gpu, dtype, gen, new long[] {steps, b, 4 * hid}, new long[] {b, hid}, new long[] {b, hid},
                                new long[] {4 * hid, hid}, new long[] {4 * hid});
                        Tensor w = Tensor.randn(gen, 2, steps, b, hid).to(dtype);
                        String what = "lstmSequence " + dtype.pyName() + " " + steps + "x" + b + "x" + hid + " reverse=" + reverse;
                        // keep the recurrence stable: small recurrent weights
                        Tensor cpu = RecurrentCells.lstmSequence(in[0][0], in[0][1], in[0][2], in[0][3].mul(0.1), in[0][4], reverse);
                        Tensor dev = RecurrentCells.lstmSequence(in[1][0], in[1][1], in[1][2], in[1][3].mul(0.1), in[1][4], reverse);
                        assertEquals(gpu, dev.device());
                        // GEMMs on cuBLAS vs the CPU's, chained over the steps: looser than the pointwise kernels
                        double tolScale = 10;
                        assertClose(cpu, dev, tolScale, what + " y");
                        Tensor[] gc = Autograd.grad(cpu.mul(w).sum(), null, false, false, in[0]);
                        Tensor[] gd = Autograd.grad(dev.mul(w.to(gpu)).sum(), null, false, false, in[1]);
                        String[] names = {"dproj", "dh0", "dc0", "dwHh", "dbHh"};
                        for (int i = 0; i < names.length; i++) {
                            assertClose(gc[i], gd[i], tolScale, what + " " + names[i]);
                        }
                    }
                }
            }
        }
        Leaks.assertNoneSince(before, "fused LSTM sequences on " + gpu);
    }

    @Test
    void gruSequenceMatchesTheCpu() {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long[] tbh : new long[][] {{7, 4, 37}, {1, 3, 5}, {20, 64, 256}}) {
                for (boolean reverse : new boolean[] {false, true}) {
                    try (Scope s = Scope.open()) {
                        long steps = tbh[0];
                        long b = tbh[1];
                        long hid = tbh[2];
                        Generator gen = new Generator(steps * 1000 + hid + 1);
                        Tensor[][] in = leaves(gpu, dtype, gen, new long[] {steps, b, 3 * hid}, new long[] {b, hid},
                                new long[] {3 * hid, hid}, new long[] {3 * hid});
                        Tensor w = Tensor.randn(gen, steps, b, hid).to(dtype);
                        String what = "gruSequence " + dtype.pyName() + " " + steps + "x" + b + "x" + hid + " reverse=" + reverse;
                        Tensor cpu = RecurrentCells.gruSequence(in[0][0], in[0][1], in[0][2].mul(0.1), in[0][3], reverse);
                        Tensor dev = RecurrentCells.gruSequence(in[1][0], in[1][1], in[1][2].mul(0.1), in[1][3], reverse);
                        assertEquals(gpu, dev.device());
                        double tolScale = 10;
                        assertClose(cpu, dev, tolScale, what + " y");
                        Tensor[] gc = Autograd.grad(cpu.mul(w).sum(), null, false, false, in[0]);
                        Tensor[] gd = Autograd.grad(dev.mul(w.to(gpu)).sum(), null, false, false, in[1]);
                        String[] names = {"dproj", "dh0", "dwHh", "dbHh"};
                        for (int i = 0; i < names.length; i++) {
                            assertClose(gc[i], gd[i], tolScale, what + " " + names[i]);
                        }
                    }
                }
            }
        }
        Leaks.assertNoneSince(before, "fused GRU sequences on " + gpu);
    }
}
