package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.nn.GRU;
import dev.panamax.nn.LSTM;
import dev.panamax.nn.LSTMCell;
import dev.panamax.nn.RNNBase;
import dev.panamax.nn.RNNOutput;
import dev.panamax.nn.RecurrentOptions;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The recurrent layers are compositions of ops (GEMMs plus the fused LSTM and GRU gate ops of
 * native/src/rnn.cu, tested alone in CudaRecurrentCellsGpuTest), so they run on CUDA unchanged: a
 * stack on the GPU and an identical one on the CPU agree on outputs, final states and every
 * gradient, for full and variable-length batches.
 */
@Tag("gpu")
class CudaRecurrentGpuTest {
    /** CudaParity's comparison at 10× its float32 tolerances: a composed layer chains many ops. */
    private static void assertClose(Tensor expected, Tensor actual, String what) {
        CudaParity.assertClose(what, expected, actual, 10);
    }

    private static void compare(Function<Generator, RNNBase> build, long[] inputShape, long[] lengths, boolean lstm) {
        Device gpu = GpuDevice.get();
        MemoryStats before = Leaks.baseline();
        try (RNNBase cpu = build.apply(new Generator(1)); RNNBase dev = build.apply(new Generator(1)); Scope s = Scope.open()) {
            dev.to(gpu);
            Tensor x = Tensor.randn(new Generator(2), inputShape).requiresGrad(true);
            Tensor xd = x.detach().to(gpu).requiresGrad(true);
            RNNOutput a = lstm ? ((LSTM) cpu).forward(x, null, null, lengths) : ((GRU) cpu).forward(x, null, lengths);
            RNNOutput b = lstm ? ((LSTM) dev).forward(xd, null, null, lengths) : ((GRU) dev).forward(xd, null, lengths);
            assertEquals(gpu, b.output().device());
            assertClose(a.output(), b.output(), "output");
            assertClose(a.hN(), b.hN(), "h_n");
            if (lstm) {
                assertClose(a.cN(), b.cN(), "c_n");
            }
            a.output().square().sum().add(a.hN().sum()).backward();
            b.output().square().sum().add(b.hN().sum()).backward();
            assertClose(x.grad(), xd.grad(), "input gradient");
            for (int i = 0; i < cpu.flatWeights().size(); i++) {
                Tensor p = cpu.flatWeights().get(i);
                assertClose(p.grad(), dev.flatWeights().get(i).grad(), p.name() + " gradient");
            }
        }
        Leaks.assertNoneSince(before, "recurrent layers on " + gpu);
    }

    @Test
    void lstmTwoLayersBidirectionalWithLengths() {
        compare(g -> new LSTM(5, 8, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true), g), new long[] {7, 3, 5},
                new long[] {7, 2, 5}, true);
    }

    @Test
    void projectedLstmFullLength() {
        compare(g -> new LSTM(5, 8, RecurrentOptions.DEFAULT.projSize(3).bidirectional(true), g), new long[] {6, 2, 5}, null, true);
    }

    @Test
    void gruBatchFirstWithLengths() {
        compare(g -> new GRU(5, 8, RecurrentOptions.DEFAULT.numLayers(2).batchFirst(true), g), new long[] {3, 6, 5},
                new long[] {1, 6, 4}, false);
    }

    /** Full-length batches take the whole-sequence ops (RecurrentCells.lstmSequence / gruSequence). */
    @Test
    void lstmAndGruFullLengthBidirectionalBatchFirst() {
        compare(g -> new LSTM(5, 8, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true).batchFirst(true), g), new long[] {3, 7, 5},
                null, true);
        compare(g -> new GRU(5, 8, RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true), g), new long[] {7, 3, 5}, null, false);
    }

    @Test
    void lstmCellStep() {
        Device gpu = GpuDevice.get();
        try (LSTMCell cpu = new LSTMCell(4, 6, true, new Generator(3)); LSTMCell dev = new LSTMCell(4, 6, true, new Generator(3));
             Scope s = Scope.open()) {
            dev.to(gpu);
            Tensor x = Tensor.randn(new Generator(4), 2, 4);
            try (LSTMCell.State a = cpu.forward(x, null, null); LSTMCell.State b = dev.forward(x.to(gpu), null, null)) {
                assertClose(a.h(), b.h(), "h'");
                assertClose(a.c(), b.c(), "c'");
            }
        }
    }
}
