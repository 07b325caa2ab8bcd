package dev.panamax.autograd;

import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One recorded op application in the graph: its inputs, its backward rule, and any tensors the
 * op created only for its backward (freed with the graph).
 */
public final class Node {
    private final String name;
    private final Tensor[] inputs;
    private final boolean[] needsGrad;
    private final Tensor output;
    private BackwardFn fn;
    private List<Tensor> owned;

    /** Records that {@code output} was computed from {@code inputs}; both are held until the node is freed. */
    Node(String name, Tensor[] inputs, Tensor output, BackwardFn fn) {
        this.name = name;
        this.inputs = inputs;
        this.output = output;
        this.fn = fn;
        this.needsGrad = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            needsGrad[i] = inputs[i] != null && inputs[i].requiresGrad();
            if (inputs[i] != null) {
                inputs[i].holdForGraph();
            }
        }
        output.holdForGraph();
    }

    /** PyTorch-style name of the backward, e.g. {@code MulBackward}. */
    public String name() {
        return name;
    }

    Tensor[] inputs() {
        return inputs;
    }

    boolean[] needsGrad() {
        return needsGrad;
    }

    /** Hands a tensor that only the backward needs (a mask, an index) to the node, which frees it with the graph. */
    public Tensor own(Tensor t) {
        if (owned == null) {
            owned = new ArrayList<>(2);
        }
        owned.add(t);
        return t;
    }

    boolean isReleased() {
        return fn == null;
    }

    Tensor[] run(Tensor gradOutput) {
        if (fn == null) {
            throw new IllegalStateException("backward through " + name + " a second time: its graph was freed by the"
                    + " first backward(); pass retainGraph = true to the first call if you need to backward twice");
        }
        return fn.apply(gradOutput, needsGrad);
    }

    /** Frees the backward rule and what it holds. */
    void release() {
        if (fn == null) {
            return;
        }
        fn = null;
        if (owned != null) {
            owned.forEach(Tensor::close);
            owned = null;
        }
        for (Tensor in : inputs) {
            if (in != null) {
                in.releaseGraphHold();
            }
        }
        output.releaseGraphHold();
    }

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
