package dev.panamax.optim;

import dev.panamax.backend.SgdUpdate;
import dev.panamax.tensor.Tensor;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
 * decay: PyTorch's {@code torch.optim.SGD} and its defaults (lr 1e-3, everything else off). One
 * fused kernel pass per parameter.
 */
public final class SGD extends FirstOrderOptimizer {
    private SGD(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends Optimizer.Builder<Builder, SGD> {
        private Builder() {
            set("lr", 1e-3);
            set("momentum", 0);
            set("dampening", 0);
            set("weight_decay", 0);
            set("nesterov", false);
        }

        public Builder momentum(double momentum) {
            return set("momentum", momentum);
        }

        public Builder dampening(double dampening) {
            return set("dampening", dampening);
        }

        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        public Builder nesterov(boolean nesterov) {
            return set("nesterov", nesterov);
        }

        @Override
        public SGD build(ParamGroup... groups) {
            return new SGD(defaults, groups);
        }
    }

    @Override
    protected void checkGroup(ParamGroup g, int index) {
        requireNonNegative(g, index, "lr", "momentum", "weight_decay");
        if (g.flag("nesterov") && (g.get("momentum") <= 0 || g.get("dampening") != 0)) {
            throw new IllegalArgumentException(name() + ": Nesterov momentum requires a momentum and zero dampening (param group "
                    + index + " has momentum " + g.get("momentum") + ", dampening " + g.get("dampening") + ")");
        }
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, ParamState state) {
        double momentum = g.get("momentum");
        Tensor buffer = momentum != 0 ? state.tensor("momentum_buffer") : null;
        boolean first = momentum != 0 && buffer == null;
        Tensor buf = first ? buffer(state, "momentum_buffer", param, 0) : buffer;
        SgdUpdate u = new SgdUpdate(g.lr(), g.get("weight_decay"), momentum, g.get("dampening"), g.flag("nesterov"), first);
        updateDense(param, p -> p.backend().sgdUpdate(p.operand(), grad.operand(), buf == null ? null : buf.operand(), u));
    }
}
