package dev.panamax.nn;

import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * Modules held as children "0", "1", ... (PyTorch's {@code ModuleList}): their parameters belong
 * to the parent, and the parent's forward decides how to use them.
 */
public final class ModuleList extends Module {
    private final List<Module> modules;

    public ModuleList(List<? extends Module> modules) {
        this.modules = List.copyOf(modules);
        for (int i = 0; i < this.modules.size(); i++) {
            registerModule(Integer.toString(i), this.modules.get(i));
        }
    }

    public int size() {
        return modules.size();
    }

    public Module get(int i) {
        return modules.get(i);
    }

    /** Always fails: a list has no forward of its own (as in PyTorch). */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList: has no forward; call its modules from the parent's forward");
    }
}
