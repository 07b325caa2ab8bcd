package dev.panamax.bench.worker;

import java.util.List;

/**
 * One recurrent layer (PyTorch's {@code nn.LSTM} or {@code nn.GRU}: 1 layer, one direction, biases,
 * time-major) over x [seq, batch, input] from zero initial states. Forward: the output [seq, batch, hidden]
 * and the final states are compared. With {@code backward}, also the gradients of the input and of every
 * weight for an upstream gradient of ones on the output (what DJL's {@code GradientCollector.backward}
 * seeds; h_n and c_n get none). The weights have PyTorch's layout and gate order ({@code weight_ih_l0}
 * [gates·hidden, input], {@code weight_hh_l0} [gates·hidden, hidden], {@code bias_ih_l0}, {@code bias_hh_l0};
 * LSTM gates i, f, g, o, GRU gates r, z, n) and its default initialisation, uniform in ±1/√hidden.
 */
public record RecurrentWork(String id, Cell cell, int seq, int batch, int input, int hidden, boolean backward) implements Workload {
    /** The layer kinds, with their number of gates. */
    public enum Cell {
        LSTM(4), GRU(3);

        public final int gates;

        Cell(int gates) {
            this.gates = gates;
        }
    }

    @Override
    public String title() {
        return cell + " seq" + seq + " N" + batch + " in" + input + " h" + hidden + (backward ? " fwd+bwd" : " fwd");
    }

    @Override
    public String family() {
        return "seq";
    }

    /**
     * The gate products alone: per step 2·batch·(input + hidden)·gates·hidden; the two gradients (of the
     * inputs and of the weights) as much again each.
     */
    @Override
    public double flops() {
        double forward = 2.0 * seq * batch * (input + hidden) * cell.gates * hidden;
        return backward ? 3 * forward : forward;
    }

    public float[] x() {
        return Inputs.uniform(61, seq * batch * input, -1, 1);
    }

    /** The parameter shapes in PyTorch's order: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0. */
    public List<long[]> parameterShapes() {
        long gateRows = (long) cell.gates * hidden;
        return List.of(new long[] {gateRows, input}, new long[] {gateRows, hidden}, new long[] {gateRows}, new long[] {gateRows});
    }

    /** The initial value of parameter {@code index} of {@link #parameterShapes()}. */
    public float[] parameter(int index) {
        return Inputs.layerDefault(62 + index, Inputs.product(parameterShapes().get(index)), hidden);
    }
}
