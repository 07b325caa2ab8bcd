package dev.panamax.models;

import dev.panamax.nn.Module;
import dev.panamax.tensor.Tensor;

/** Forward plumbing shared by the models. */
final class Blocks {
    private Blocks() {}

    /** The modules applied in turn, each intermediate closed once the next has used it (the input is the caller's). */
    static Tensor chain(Tensor x, Module... steps) {
        Tensor y = x;
        for (Module m : steps) {
            Tensor next = m.forward(y);
            if (y != x) {
                y.close();
            }
            y = next;
        }
        return y == x ? x.alias() : y;
    }

    /** relu(branch + shortcut), closing both. */
    static Tensor addRelu(Tensor branch, Tensor shortcut) {
        try (branch; shortcut; Tensor sum = branch.add(shortcut)) {
            return sum.relu();
        }
    }
}
