package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Suppression;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Greedy non-maximum suppression over float32 boxes, torchvision's CPU kernel reorganised for
 * SIMD. The candidates still alive sit in score order as a structure of arrays (x1, y1, x2, y2,
 * area, index). The first of them is kept; its IoU with all the others is computed a vector at
 * a time, and the survivors are compressed to the front, so that each later pass reads only boxes
 * not yet suppressed. Lanes compute torchvision's scalar IoU operation for operation, in float,
 * so the kept set is the same. Sequential by nature: each pass depends on the one before.
 */
final class NmsKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private NmsKernel() {}

    /** The alive candidates; one vector of padding, as compress stores write whole vectors. */
    private record Candidates(float[] x1, float[] y1, float[] x2, float[] y2, float[] area, int[] index) {
        static Candidates sorted(Operand boxes, int[] order) {
            int size = order.length + F.length();
            Candidates c = new Candidates(new float[size], new float[size], new float[size], new float[size], new float[size], new int[size]);
            MemorySegment bs = CpuBackend.segment(boxes);
            for (int r = 0; r < order.length; r++) {
                long at = boxes.offset() + 4L * order[r];
                float x1 = bs.getAtIndex(ValueLayout.JAVA_FLOAT, at);
                float y1 = bs.getAtIndex(ValueLayout.JAVA_FLOAT, at + 1);
                float x2 = bs.getAtIndex(ValueLayout.JAVA_FLOAT, at + 2);
                float y2 = bs.getAtIndex(ValueLayout.JAVA_FLOAT, at + 3);
                c.x1[r] = x1;
                c.y1[r] = y1;
                c.x2[r] = x2;
                c.y2[r] = y2;
                c.area[r] = (x2 - x1) * (y2 - y1);
                c.index[r] = order[r];
            }
            return c;
        }
    }

    static int nms(Operand boxes, Operand scores, double iouThreshold, Operand keep) {
        int n = (int) scores.shape()[0];
        float[] score = new float[n];
        MemorySegment.copy(CpuBackend.segment(scores), ValueLayout.JAVA_FLOAT, scores.offset() * Float.BYTES, score, 0, n);
        Candidates c = Candidates.sorted(boxes, Suppression.order(score));
        float threshold = Suppression.threshold(iouThreshold);
        MemorySegment out = CpuBackend.segment(keep);
        int kept = 0;
        int alive = n;
        for (int head = 0; head < alive; head++) {
            out.setAtIndex(ValueLayout.JAVA_LONG, keep.offset() + kept++, c.index[head]);
            alive = suppress(c, head, alive, threshold);
        }
        return kept;
    }

    /** Drops the candidates after {@code head} whose IoU with it exceeds the threshold; returns the new alive count. */
    private static int suppress(Candidates c, int head, int alive, float threshold) {
        FloatVector hx1 = FloatVector.broadcast(F, c.x1[head]);
        FloatVector hy1 = FloatVector.broadcast(F, c.y1[head]);
        FloatVector hx2 = FloatVector.broadcast(F, c.x2[head]);
        FloatVector hy2 = FloatVector.broadcast(F, c.y2[head]);
        FloatVector harea = FloatVector.broadcast(F, c.area[head]);
        int to = head + 1;
        for (int j = head + 1; j < alive; j += F.length()) {
            FloatVector x1 = FloatVector.fromArray(F, c.x1, j);
            FloatVector y1 = FloatVector.fromArray(F, c.y1, j);
            FloatVector x2 = FloatVector.fromArray(F, c.x2, j);
            FloatVector y2 = FloatVector.fromArray(F, c.y2, j);
            FloatVector area = FloatVector.fromArray(F, c.area, j);
            FloatVector w = x2.min(hx2).sub(x1.max(hx1)).max(0f);
            FloatVector h = y2.min(hy2).sub(y1.max(hy1)).max(0f);
            FloatVector inter = w.mul(h);
            FloatVector iou = inter.div(harea.add(area).sub(inter));
            // NaN compares false: a 0/0 IoU suppresses nothing, as in torchvision
            VectorMask<Float> stays = iou.compare(VectorOperators.GT, threshold).not().and(F.indexInRange(j, alive));
            // j >= to: the stores overwrite only lanes already loaded
            x1.compress(stays).intoArray(c.x1, to);
            y1.compress(stays).intoArray(c.y1, to);
            x2.compress(stays).intoArray(c.x2, to);
            y2.compress(stays).intoArray(c.y2, to);
            area.compress(stays).intoArray(c.area, to);
            IntVector.fromArray(I, c.index, j).compress(stays.cast(I)).intoArray(c.index, to);
            to += stays.trueCount();
        }
        return to;
    }
}
