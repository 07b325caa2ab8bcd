package dev.panamax.autograd;

import dev.panamax.tensor.Tensor;
import java.util.ArrayDeque;
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
    private BackwardFn fn;
    private List<Tensor> owned;

    /**
     * Records an op application; its inputs are held (their close waits) until the node is freed.
     * The output is not held: closing it frees the node, as nothing can reach the node any more.
     */
    Node(String name, Tensor[] inputs, BackwardFn fn) {
        this.name = name;
        this.inputs = inputs;
        this.fn = fn;
        this.needsGrad = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            needsGrad[i] = inputs[i] != null && inputs[i].requiresGrad();
            if (inputs[i] != null) {
                inputs[i].holdForGraph();
            }
        }
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

    /**
     * Frees the backward rule and what it holds, and then, iteratively (graphs can be deep), the
     * nodes of inputs whose close was only waiting for this node.
     */
    public void release() {
        ArrayDeque<Node> work = new ArrayDeque<>();
        work.push(this);
        while (!work.isEmpty()) {
            Node n = work.pop();
            if (n.fn == null) {
                continue;
            }
            n.fn = null;
            for (Tensor in : n.inputs) {
                Node next = in == null ? null : in.dropGraphHold();
                if (next != null) {
                    work.push(next);
                }
            }
            if (n.owned != null) {
                List<Tensor> o = n.owned;
                n.owned = null;
                o.forEach(Tensor::close);
            }
        }
    }

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
