package dev.panamax.autograd;

import dev.panamax.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation: ops record {@link Node}s with {@link #record}, and
 * {@link #backward} walks them from an output back to the leaves.
 *
 * <p>Gradients that flow between nodes are freed as soon as they are consumed; leaves
 * accumulate theirs into {@link Tensor#grad()}. Unless asked to retain it, the graph is freed
 * by the first backward, and a second one through it throws.
 */
public final class Autograd {
    private Autograd() {}

    /**
     * Attaches a backward rule to {@code out} when grad mode is on and some input requires a
     * gradient; otherwise does nothing. Returns {@code out}.
     */
    public static Tensor record(String name, Tensor out, BackwardFn fn, Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                out.attachGraph(new Node(name, inputs, fn));
                return out;
            }
        }
        return out;
    }

    /** True when an op with these inputs will be recorded. */
    public static boolean willRecord(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Computes the gradient of {@code root} with respect to every leaf that requires one.
     *
     * @param gradRoot    upstream gradient, same shape as root; null for a scalar root (means 1)
     * @param retainGraph keep the graph for another backward (implied by createGraph, as in PyTorch)
     * @param createGraph record the backward itself, for higher-order gradients
     */
    public static void backward(Tensor root, Tensor gradRoot, boolean retainGraph, boolean createGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor " + root.describe()
                    + " does not require grad and has no grad_fn (nothing it depends on requires grad)");
        }
        Tensor seed = seedGradient(root, gradRoot);
        LeafSink sink = (leaf, g) -> accumulateLeaf(leaf, g, createGraph);
        try (GradMode.Guard ignored = GradMode.set(createGraph)) {
            if (root.gradFn() == null) {
                sink.deliver(root, seed);
                return;
            }
            run(root.gradFn(), seed, retainGraph || createGraph, createGraph, sink);
        }
    }

    /**
     * The gradients of {@code root} with respect to the leaves {@code inputs}, returned instead of
     * accumulated into {@link Tensor#grad()} ({@code torch.autograd.grad}). With
     * {@code createGraph} the results are themselves differentiable (higher-order gradients).
     * An input that does not influence root gets null.
     */
    public static Tensor[] grad(Tensor root, Tensor gradRoot, boolean retainGraph, boolean createGraph, Tensor... inputs) {
        Map<Tensor, Integer> slot = new IdentityHashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].isLeaf() || !inputs[i].requiresGrad()) {
                throw new IllegalArgumentException("grad: input " + i + " (" + inputs[i].describe() + ") must be a leaf that requires grad");
            }
            slot.put(inputs[i], i);
        }
        if (!root.requiresGrad()) {
            throw new IllegalStateException("grad: the output " + root.describe() + " does not require grad");
        }
        Tensor[] result = new Tensor[inputs.length];
        LeafSink sink = (leaf, g) -> {
            Integer i = slot.get(leaf);
            if (i == null) {
                if (!createGraph) {
                    g.close();
                }
                return;
            }
            result[i] = result[i] == null ? g : sum(result[i], g, createGraph);
        };
        Tensor seed = seedGradient(root, gradRoot);
        try (GradMode.Guard ignored = GradMode.set(createGraph)) {
            if (root.gradFn() == null) {
                sink.deliver(root, seed);
            } else {
                run(root.gradFn(), seed, retainGraph || createGraph, createGraph, sink);
            }
        }
        return result;
    }

    /** Where gradients reaching a leaf go. */
    @FunctionalInterface
    private interface LeafSink {
        void deliver(Tensor leaf, Tensor grad);
    }

    private static Tensor seedGradient(Tensor root, Tensor gradRoot) {
        if (gradRoot == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: grad can be implicitly created only for scalar outputs, but the"
                        + " output has shape " + root.shape() + "; pass the upstream gradient explicitly");
            }
            return Tensor.onesLike(root);
        }
        if (!gradRoot.shape().equals(root.shape())) {
            throw new IllegalArgumentException("backward: gradient shape " + gradRoot.shape() + " does not match output shape " + root.shape());
        }
        return gradRoot.alias();
    }

    private static void run(Node rootNode, Tensor seed, boolean retainGraph, boolean createGraph, LeafSink sink) {
        List<Node> order = topologicalOrder(rootNode);
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        pending.put(rootNode, seed);
        for (Node node : order) {
            Tensor g = pending.remove(node);
            if (g == null) {
                continue; // no gradient reached this node (e.g. it fed only non-differentiable inputs)
            }
            Tensor[] grads = node.run(g);
            Tensor[] inputs = node.inputs();
            Set<Tensor> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
            handedOut.add(g);
            for (int i = 0; i < inputs.length; i++) {
                Tensor gi = grads == null || i >= grads.length ? null : grads[i];
                if (gi == null || !node.needsGrad()[i]) {
                    if (gi != null && !handedOut.contains(gi)) {
                        gi.close();
                    }
                    continue;
                }
                checkGradient(node, i, inputs[i], gi);
                // every holder of a gradient must own its own tensor object, since holders close theirs
                Tensor owned = handedOut.add(gi) ? gi : gi.alias();
                Tensor in = inputs[i];
                if (in.gradFn() != null) {
                    Tensor previous = pending.get(in.gradFn());
                    pending.put(in.gradFn(), previous == null ? owned : sum(previous, owned, createGraph));
                } else {
                    sink.deliver(in, owned);
                }
            }
            if (!createGraph) {
                g.close();
            }
        }
        // freed only now: freeing a node can complete the close of a tensor that another node of
        // this graph, not yet run, still needs
        if (!retainGraph) {
            order.forEach(Node::release);
        }
    }

    private static Tensor sum(Tensor a, Tensor b, boolean createGraph) {
        Tensor s = a.add(b);
        if (!createGraph) {
            a.close();
            b.close();
        }
        return s;
    }

    private static void checkGradient(Node node, int i, Tensor input, Tensor grad) {
        if (!grad.shape().equals(input.shape())) {
            throw new IllegalStateException(node.name() + " returned a gradient of shape " + grad.shape()
                    + " for input " + i + " of shape " + input.shape() + " (a bug in that op's backward rule)");
        }
    }

    private static void accumulateLeaf(Tensor leaf, Tensor grad, boolean createGraph) {
        Tensor current = leaf.grad();
        if (current == null) {
            leaf.setGrad(grad.isExclusive() && grad.isContiguous() && grad.dtype() == leaf.dtype()
                    ? grad : copyOf(grad, leaf, createGraph));
            return;
        }
        if (createGraph) {
            leaf.setGrad(current.add(grad));
        } else {
            current.add_(grad);
            grad.close();
        }
    }

    private static Tensor copyOf(Tensor grad, Tensor leaf, boolean createGraph) {
        Tensor c;
        try (Tensor converted = grad.to(leaf.dtype())) {
            c = converted.contiguousCopy();
        }
        if (!createGraph) {
            grad.close();
        }
        return c;
    }

    /** Nodes reachable from {@code root}, each after every node that feeds gradient into it. */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> postOrder = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {node, next input index}
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Node node = (Node) top[0];
            int i = (Integer) top[1];
            Tensor[] inputs = node.inputs();
            if (i < inputs.length) {
                top[1] = i + 1;
                Tensor in = inputs[i];
                Node next = in == null ? null : in.gradFn();
                if (next != null && node.needsGrad()[i] && seen.add(next)) {
                    stack.push(new Object[] {next, 0});
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
