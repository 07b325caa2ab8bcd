package dev.panamax.optim;

import dev.panamax.tensor.Shape;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of an optimizer for checkpoints and resume, shaped like PyTorch's
 * {@code state_dict()}: the options of each parameter group, and the state of each parameter by
 * its position (counting through the groups in order). It owns copies of the state tensors, so
 * the optimizer may go on stepping; close it when done.
 *
 * @param optimizer   the optimizer's class name ({@code "Adam"}), checked on load
 * @param paramGroups each group's options and the shapes of its parameters
 * @param state       per parameter position; positions without state (no step yet) are absent
 */
public record OptimizerState(String optimizer, List<Group> paramGroups, Map<Integer, ParamState> state) implements AutoCloseable {
    /** One parameter group: its options, and its parameters' shapes (to check a load against). */
    public record Group(Map<String, Double> options, List<Shape> paramShapes) {
        public Group {
            options = Collections.unmodifiableMap(options);
            paramShapes = List.copyOf(paramShapes);
        }
    }

    public OptimizerState {
        paramGroups = List.copyOf(paramGroups);
        state = Collections.unmodifiableMap(state);
    }

    /** Frees the state tensors. */
    @Override
    public void close() {
        state.values().forEach(ParamState::close);
    }
}
