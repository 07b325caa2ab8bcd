package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.backend.Operand;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.backend.RecurrentWeights;
import dev.panamax.backend.cpu.CpuBackend;
import dev.panamax.tensor.DType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mapping of cuDNN's RNN weight space onto PyTorch's parameters, from made-up answers of
 * cudnnGetRNNWeightParams: PyTorch's own layout (gate blocks of a parameter back to back, as cuDNN
 * lays them out and PyTorch's cuDNN path relies on), a scrambled one, and answers that must be
 * refused. Also the shape checks made before each cuDNN call, and the fallback without libcudnn_adv.
 */
class CudnnRnnLayoutTest {
    /**
     * A space as cuDNN lays it out: per pseudo-layer the matrices in id order, then the biases, each
     * {@code gap} elements after the previous one; {@code reversed} puts each pseudo-layer's ids in reverse.
     */
    private static CudnnRnnLayout.Query space(RecurrentSpec spec, long gap, boolean reversed, Map<String, CudnnRnnLayout.Region> out) {
        int gates = spec.cell().gates();
        long at = 0;
        for (int pl = 0; pl < spec.numLayers() * spec.directions(); pl++) {
            long in = spec.layerInputSize(pl / spec.directions());
            int ids = 2 * gates + (spec.projSize() > 0 ? 1 : 0);
            for (int k = 0; k < ids; k++) {
                int id = reversed ? ids - 1 - k : k;
                int linId = id == 2 * gates ? CudnnRnnLayout.PROJECTION_ID : id;
                long count = linId == CudnnRnnLayout.PROJECTION_ID ? spec.projSize() * spec.hiddenSize()
                        : spec.hiddenSize() * (id < gates ? in : spec.outSize());
                out.put(pl + "/" + linId + "/m", new CudnnRnnLayout.Region(at, count));
                at += count + gap;
            }
            for (int k = 0; k < 2 * gates; k++) {
                int id = reversed ? 2 * gates - 1 - k : k;
                out.put(pl + "/" + id + "/b", new CudnnRnnLayout.Region(at, spec.hiddenSize()));
                at += spec.hiddenSize() + gap;
            }
        }
        out.put("size", new CudnnRnnLayout.Region(0, at));
        return (pl, id, bias) -> out.get(pl + "/" + id + (bias ? "/b" : "/m"));
    }

    private static RecurrentWeights plan(RecurrentSpec spec, long gap, boolean reversed) {
        Map<String, CudnnRnnLayout.Region> regions = new HashMap<>();
        CudnnRnnLayout.Query q = space(spec, gap, reversed, regions);
        return CudnnRnnLayout.plan(spec, regions.get("size").count(), q);
    }

    /** Every element of every parameter lands in exactly one place, inside the space, and no two land together. */
    private static void assertCovers(RecurrentSpec spec, RecurrentWeights w, long[] paramSizes) {
        long[] covered = new long[paramSizes.length];
        boolean[] used = new boolean[(int) w.elements()];
        for (RecurrentWeights.Block b : w.blocks()) {
            covered[b.param()] += b.count();
            assertTrue(b.paramOffset() + b.count() <= paramSizes[b.param()], b + " stays inside its parameter");
            for (long e = b.spaceOffset(); e < b.spaceOffset() + b.count(); e++) {
                assertTrue(!used[(int) e], "element " + e + " used twice");
                used[(int) e] = true;
            }
        }
        assertEquals(java.util.Arrays.toString(paramSizes), java.util.Arrays.toString(covered), "every parameter covered once: " + spec);
    }

    private static long[] paramSizes(RecurrentSpec spec) {
        int per = spec.weightsPerDirection();
        long gates = spec.cell().gates() * spec.hiddenSize();
        long[] sizes = new long[spec.numLayers() * spec.directions() * per];
        for (int i = 0; i < sizes.length; i++) {
            int layer = i / (spec.directions() * per);
            int k = i % per;
            sizes[i] = k == 0 ? gates * spec.layerInputSize(layer) : k == 1 ? gates * spec.outSize()
                    : spec.bias() && k < 4 ? gates : spec.projSize() * spec.hiddenSize();
        }
        return sizes;
    }

    @Test
    void pytorchsLayoutIsOneBlockPerParameterInFlatOrder() {
        RecurrentSpec spec = new RecurrentSpec(RecurrentSpec.Cell.LSTM, 3, 4, 0, 2, true, true, DType.FLOAT32);
        RecurrentWeights w = plan(spec, 0, false);
        assertEquals(16, w.blocks().size(), "2 layers x 2 directions x 4 parameters");
        for (int i = 0; i < 16; i++) {
            assertEquals(i, w.blocks().get(i).param());
            assertEquals(0, w.blocks().get(i).paramOffset());
        }
        // pseudo-layer 0: weight_ih [16, 3] at 0, weight_hh [16, 4] at 48, bias_ih at 112, bias_hh at 128
        assertEquals(new RecurrentWeights.Block(0, 0, 0, 48), w.blocks().get(0));
        assertEquals(new RecurrentWeights.Block(1, 0, 48, 64), w.blocks().get(1));
        assertEquals(new RecurrentWeights.Block(2, 0, 112, 16), w.blocks().get(2));
        assertEquals(new RecurrentWeights.Block(3, 0, 128, 16), w.blocks().get(3));
        // layer 1 reads both directions: weight_ih_l1 is [16, 8]
        assertEquals(16 * 8, w.blocks().get(8).count());
        assertCovers(spec, w, paramSizes(spec));
    }

    @Test
    void scatteredGateBlocksMapGateByGate() {
        for (RecurrentSpec.Cell cell : RecurrentSpec.Cell.values()) {
            long proj = cell == RecurrentSpec.Cell.LSTM ? 2 : 0;
            for (boolean bias : new boolean[] {true, false}) {
                RecurrentSpec spec = new RecurrentSpec(cell, 3, 5, proj, 2, true, bias, DType.FLOAT64);
                RecurrentWeights w = plan(spec, 7, true);
                assertCovers(spec, w, paramSizes(spec));
                int matrices = 2 * cell.gates() + (proj > 0 ? 1 : 0);
                assertEquals(4 * (matrices + (bias ? 2 * cell.gates() : 0)), w.blocks().size(), spec + ": nothing merges across gaps");
            }
        }
        // GRU gate n of weight_hh_l0 (id 5) is the third [H, H] block of the parameter, wherever cuDNN puts it
        RecurrentSpec gru = new RecurrentSpec(RecurrentSpec.Cell.GRU, 3, 5, 0, 1, false, true, DType.FLOAT32);
        Map<String, CudnnRnnLayout.Region> regions = new HashMap<>();
        CudnnRnnLayout.Query q = space(gru, 3, true, regions);
        RecurrentWeights w = CudnnRnnLayout.plan(gru, regions.get("size").count(), q);
        assertTrue(w.blocks().contains(new RecurrentWeights.Block(1, 50, regions.get("0/5/m").offset(), 25)), w.toString());
    }

    @Test
    void projectionIsWeightHrAndNarrowsTheRecurrentMatrices() {
        RecurrentSpec spec = new RecurrentSpec(RecurrentSpec.Cell.LSTM, 3, 5, 2, 1, false, false, DType.FLOAT32);
        RecurrentWeights w = plan(spec, 0, false);
        assertEquals(List.of(new RecurrentWeights.Block(0, 0, 0, 60), new RecurrentWeights.Block(1, 0, 60, 40),
                new RecurrentWeights.Block(2, 0, 100, 10)), w.blocks(), "weight_ih [20, 3], weight_hh [20, 2], weight_hr [2, 5]");
    }

    @Test
    void answersThatDoNotFitPytorchsParametersAreRefused() {
        RecurrentSpec spec = new RecurrentSpec(RecurrentSpec.Cell.GRU, 3, 5, 0, 1, false, true, DType.FLOAT32);
        Map<String, CudnnRnnLayout.Region> regions = new HashMap<>();
        CudnnRnnLayout.Query q = space(spec, 0, false, regions);
        long size = regions.get("size").count();
        IllegalStateException wrongSize = assertThrows(IllegalStateException.class, () -> CudnnRnnLayout.plan(spec, size,
                (pl, id, b) -> id == 4 && !b ? new CudnnRnnLayout.Region(q.at(pl, id, b).offset(), 24) : q.at(pl, id, b)));
        assertTrue(wrongSize.getMessage().contains("matrix 4 of pseudo-layer 0") && wrongSize.getMessage().contains("24 elements")
                && wrongSize.getMessage().contains("needs 25"), wrongSize.getMessage());
        IllegalStateException outside = assertThrows(IllegalStateException.class, () -> CudnnRnnLayout.plan(spec, size - 1, q));
        assertTrue(outside.getMessage().contains("-element space"), outside.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> CudnnRnnLayout.plan(spec, size,
                (pl, id, b) -> b && id == 2 ? null : q.at(pl, id, b)));
        assertTrue(missing.getMessage().contains("no bias 2 of pseudo-layer 0"), missing.getMessage());
        IllegalStateException overlap = assertThrows(IllegalStateException.class, () -> CudnnRnnLayout.plan(spec, size,
                (pl, id, b) -> b && id == 1 ? q.at(pl, 0, true) : q.at(pl, id, b)));
        assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
    }

    @Test
    void shapesAreCheckedBeforeAnyCudnnCall() {
        RecurrentSpec spec = new RecurrentSpec(RecurrentSpec.Cell.LSTM, 3, 4, 0, 2, false, true, DType.FLOAT32);
        Operand good = new Operand(CpuBackend.instance().allocate(DType.FLOAT32, 24), DType.FLOAT32, new long[] {2, 3, 4},
                new long[] {12, 4, 1}, 0);
        CudnnRecurrence.expect("hy", good, spec, new long[] {2, 3, 4});
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> CudnnRecurrence.expect("hy", good, spec, new long[] {2, 3, 5}));
        assertTrue(shape.getMessage().startsWith("cuDNN RNN: hy must be dense float32[2, 3, 5]") && shape.getMessage().contains("[2, 3, 4]"),
                shape.getMessage());
        Operand strided = good.withLayout(new long[] {2, 3, 4}, new long[] {1, 2, 6}, 0);
        assertThrows(IllegalArgumentException.class, () -> CudnnRecurrence.expect("x", strided, spec, new long[] {2, 3, 4}));
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> CudnnRecurrence.expect("cy", null, spec, new long[] {2, 3, 4}));
        assertTrue(absent.getMessage().contains("cy must be [2, 3, 4]") && absent.getMessage().contains("got null"), absent.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudnnRecurrence.expect("c0", good, spec, null), "a c0 where none belongs");
        good.storage().release();
    }

    @Test
    void withoutTheRnnSublibraryOrInDeterministicModeRecurrentLayersRunLayerByLayer() {
        boolean loaded = CudaProbe.loadedPath(CudaLibrary.DNN_ADV).isPresent();
        assertEquals(loaded ? "" : "libcudnn_adv.so.9 (cuDNN's RNN sublibrary) was not found or did not load", CudnnRecurrence.unavailable());
        assertTrue(!CudaLibrary.DNN_ADV.required(), "its absence does not make the CUDA backend unusable");
        boolean before = CudaOptions.deterministic();
        try {
            CudaOptions.deterministic(true);
            String why = CudnnRecurrence.unavailable();
            assertTrue(loaded ? why.startsWith("deterministic mode") : why.startsWith("libcudnn_adv"), why);
        } finally {
            CudaOptions.deterministic(before);
        }
    }
}
