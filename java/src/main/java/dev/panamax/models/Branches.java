package dev.panamax.models;

import dev.panamax.nn.Module;
import dev.panamax.nn.ReceptiveField;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An Inception-style block: parallel paths over the same input, their outputs concatenated along
 * the channels in order. A path is a chain of modules; a step of a path may itself split
 * ({@link #split}) into modules whose outputs are concatenated (Inception v3's E block). The
 * modules are registered under the reference implementation's names with {@link #child}, so the
 * state dict matches it however the paths are wired.
 */
class Branches extends Module {
    private final String typeName;
    private final List<Module[]> paths = new ArrayList<>();

    Branches(String typeName) {
        this.typeName = typeName;
    }

    /** Registers a module under its reference name; returns it for use in a path. */
    final <M extends Module> M child(String name, M module) {
        return registerModule(name, module);
    }

    /** Adds a path: the steps applied in order. */
    final void path(Module... steps) {
        paths.add(steps.clone());
    }

    /** A step whose output is the concatenation of these modules' outputs on the same input (not registered here). */
    static Module split(Module... alternatives) {
        Branches s = new Branches("Split");
        for (Module m : alternatives) {
            s.path(m);
        }
        return s;
    }

    /** The path that widens the receptive field most. */
    @Override
    protected List<Module> receptivePath() {
        List<Module> best = List.of();
        long widest = -1;
        for (Module[] steps : paths) {
            long growth = ReceptiveField.growth(List.of(steps));
            if (growth > widest) {
                widest = growth;
                best = List.of(steps);
            }
        }
        return best;
    }

    @Override
    protected String typeName() {
        return typeName;
    }

    /** The concatenation of the paths' outputs. */
    @Override
    public Tensor forward(Tensor x) {
        List<Tensor> outputs = new ArrayList<>(paths.size());
        try {
            for (Module[] steps : paths) {
                outputs.add(Blocks.chain(x, steps));
            }
            return Tensor.cat(outputs, 1);
        } finally {
            outputs.forEach(Tensor::close);
        }
    }
}
