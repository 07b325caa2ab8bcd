package dev.panamax.backend.cuda;

import dev.panamax.backend.RecurrentSpec;
import dev.panamax.backend.RecurrentWeights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Maps cuDNN's RNN weight space onto PyTorch's parameters, from what cudnnGetRNNWeightParams
 * reports for each pseudo-layer (layer·D + direction) and linear-layer id. cuDNN's ids follow
 * PyTorch's gate order (PyTorch's own cuDNN path views them as its parameters): LSTM 0..3 the
 * input matrices of gates i, f, g, o and 4..7 the recurrent ones, 8 the projection; GRU 0..2 r,
 * z, n and 3..5; RNN 0 and 1. Bias id k belongs with matrix id k. Each gate block is checked
 * against the size PyTorch gives it and the space's bounds; blocks that continue each other in
 * both parameter and space are merged, so a layout like PyTorch's costs one copy per parameter.
 */
final class CudnnRnnLayout {
    /** The linear-layer id of the LSTM's projection matrix. */
    static final int PROJECTION_ID = 8;

    private CudnnRnnLayout() {}

    /** A matrix or bias as cuDNN reports it: its first element's offset in the space and its element count, in elements. */
    record Region(long offset, long count) {}

    /** cudnnGetRNNWeightParams for one matrix (or its bias); null when cuDNN reports none. */
    @FunctionalInterface
    interface Query {
        Region at(int pseudoLayer, int linLayerId, boolean bias);
    }

    static RecurrentWeights plan(RecurrentSpec spec, long spaceElements, Query query) {
        int gates = spec.cell().gates();
        int per = spec.weightsPerDirection();
        long hid = spec.hiddenSize();
        List<RecurrentWeights.Block> blocks = new ArrayList<>();
        for (int pl = 0; pl < spec.numLayers() * spec.directions(); pl++) {
            int base = pl * per;
            long in = spec.layerInputSize(pl / spec.directions());
            for (int id = 0; id < 2 * gates; id++) {
                boolean recurrent = id >= gates;
                long cols = recurrent ? spec.outSize() : in;
                long gate = id % gates;
                blocks.add(block(spec, spaceElements, query, pl, id, false, base + (recurrent ? 1 : 0), gate * hid * cols, hid * cols));
                if (spec.bias()) {
                    blocks.add(block(spec, spaceElements, query, pl, id, true, base + (recurrent ? 3 : 2), gate * hid, hid));
                }
            }
            if (spec.projSize() > 0) {
                blocks.add(block(spec, spaceElements, query, pl, PROJECTION_ID, false, base + per - 1, 0, spec.projSize() * hid));
            }
        }
        checkDisjoint(spec, blocks);
        return new RecurrentWeights(spaceElements, merge(blocks));
    }

    private static RecurrentWeights.Block block(RecurrentSpec spec, long spaceElements, Query query, int pl, int id, boolean bias, int param,
                                                long paramOffset, long count) {
        Region r = query.at(pl, id, bias);
        String what = (bias ? "bias" : "matrix") + " " + id + " of pseudo-layer " + pl;
        if (r == null) {
            throw new IllegalStateException("cuDNN reports no " + what + " for " + spec);
        }
        if (r.count() != count || r.offset() < 0 || r.offset() + r.count() > spaceElements) {
            throw new IllegalStateException("cuDNN's " + what + " for " + spec + " has " + r.count() + " elements at " + r.offset()
                    + " of a " + spaceElements + "-element space; PyTorch's layout needs " + count + " inside it");
        }
        return new RecurrentWeights.Block(param, paramOffset, r.offset(), count);
    }

    private static void checkDisjoint(RecurrentSpec spec, List<RecurrentWeights.Block> blocks) {
        List<RecurrentWeights.Block> bySpace = new ArrayList<>(blocks);
        bySpace.sort(Comparator.comparingLong(RecurrentWeights.Block::spaceOffset));
        for (int i = 1; i < bySpace.size(); i++) {
            RecurrentWeights.Block a = bySpace.get(i - 1);
            if (a.spaceOffset() + a.count() > bySpace.get(i).spaceOffset()) {
                throw new IllegalStateException("cuDNN's weight space for " + spec + " overlaps blocks " + a + " and " + bySpace.get(i));
            }
        }
    }

    /** In parameter order, joins each block to the one before when it continues it in both the parameter and the space. */
    static List<RecurrentWeights.Block> merge(List<RecurrentWeights.Block> blocks) {
        List<RecurrentWeights.Block> byParam = new ArrayList<>(blocks);
        byParam.sort(Comparator.comparingInt(RecurrentWeights.Block::param).thenComparingLong(RecurrentWeights.Block::paramOffset));
        List<RecurrentWeights.Block> out = new ArrayList<>();
        for (RecurrentWeights.Block b : byParam) {
            RecurrentWeights.Block last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.param() == b.param() && last.paramOffset() + last.count() == b.paramOffset()
                    && last.spaceOffset() + last.count() == b.spaceOffset()) {
                out.set(out.size() - 1, new RecurrentWeights.Block(b.param(), last.paramOffset(), last.spaceOffset(), last.count() + b.count()));
            } else {
                out.add(b);
            }
        }
        return out;
    }
}
