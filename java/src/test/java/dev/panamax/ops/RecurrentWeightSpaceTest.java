package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.backend.RecurrentWeights;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The weight space a fused recurrence reads: filled from the parameters by a layout, refilled only
 * when a parameter may have changed (in-place update, kernel hand-out, replacement, another view of
 * its memory), and never overwritten or freed while a call or a graph still reads it. On the CPU backend, with a
 * made-up layout: a one-layer RNN, weight_ih [2, 1] and weight_hh [2, 2] stored hh first with a gap.
 */
class RecurrentWeightSpaceTest {
    private static final RecurrentSpec SPEC = new RecurrentSpec(RecurrentSpec.Cell.RNN_TANH, 1, 2, 0, 1, false, false, DType.FLOAT32);
    private static final RecurrentWeights LAYOUT = new RecurrentWeights(8, List.of(new RecurrentWeights.Block(1, 0, 0, 4),
            new RecurrentWeights.Block(0, 0, 5, 2)));
    private static final Backend CPU = Backends.get(Device.CPU);

    /** weight_ih [2, 1] = (1, 2) and weight_hh [2, 2] = (3, 4, 5, 6). */
    private static List<Tensor> params() {
        return List.of(Tensor.of(new float[] {1, 2}, 2, 1), Tensor.of(new float[] {3, 4, 5, 6}, 2, 2));
    }

    /** The space's weights for {@link #SPEC} laid out by {@link #LAYOUT} on the CPU. */
    private static Tensor current(RecurrentWeightSpace space, List<Tensor> params) {
        return space.current(CPU, SPEC, LAYOUT, params);
    }

    @Test
    void fillsByTheLayoutAndReusesUntilAParameterChanges() {
        try (Scope s = Scope.open(); RecurrentWeightSpace space = new RecurrentWeightSpace()) {
            List<Tensor> params = params();
            Tensor wIh = params.get(0);
            Tensor wHh = params.get(1);
            Tensor first = current(space, params);
            assertArrayEquals(new float[] {3, 4, 5, 6, 0, 1, 2, 0}, first.toFloatArray(), "blocks in place, the rest zero");
            first.close();
            assertArrayEquals(new float[] {3, 4, 5, 6, 0, 1, 2, 0}, current(space, params).toFloatArray());
            assertEquals(1, space.refills(), "unchanged parameters: no copy");

            try (GradMode.Guard g = GradMode.noGrad()) {
                wIh.mul_(10);
            }
            assertArrayEquals(new float[] {3, 4, 5, 6, 0, 10, 20, 0}, current(space, params).toFloatArray());
            assertEquals(2, space.refills(), "an in-place update refills");

            wHh.operand(); // a kernel may write through a handed-out operand
            current(space, params);
            assertEquals(3, space.refills());

            try (Tensor view = wHh.select(0, 0)) {
                current(space, params);
                current(space, params);
                assertEquals(5, space.refills(), "another view of a parameter's memory could write it unseen: refill every time");
            }

            Tensor replacement = Tensor.of(new float[] {7, 8}, 2, 1);
            assertArrayEquals(new float[] {3, 4, 5, 6, 0, 7, 8, 0}, current(space, List.of(replacement, wHh)).toFloatArray());
            assertEquals(6, space.refills(), "another parameter object refills");
        }
    }

    /**
     * What a call was handed (read by another thread's kernel meanwhile) and what a graph holds for
     * its backward keep their values when a refill comes first: the refill lays out a new space.
     */
    @Test
    void aSpaceACallOrAGraphStillReadsIsNotOverwritten() {
        try (Scope s = Scope.open(); RecurrentWeightSpace space = new RecurrentWeightSpace()) {
            List<Tensor> params = params();
            Tensor first = current(space, params);
            try (GradMode.Guard g = GradMode.noGrad()) {
                params.get(1).fill_(0);
            }
            Tensor second = current(space, params);
            assertArrayEquals(new float[] {3, 4, 5, 6, 0, 1, 2, 0}, first.toFloatArray(), "the call still reading it sees its values");
            assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 2, 0}, second.toFloatArray());
            Tensor heldByAGraph = second.viewOf(second.shape(), second.strides(), second.storageOffset());
            try (GradMode.Guard g = GradMode.noGrad()) {
                params.get(0).fill_(0);
            }
            Tensor third = current(space, params);
            assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 2, 0}, second.toFloatArray(), "neither closed nor overwritten under its call");
            second.close();
            assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 2, 0}, heldByAGraph.toFloatArray(), "the old values stay for their backward");
            assertArrayEquals(new float[8], third.toFloatArray());
            assertEquals(Device.CPU, third.device());
        }
    }
}
