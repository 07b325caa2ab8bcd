package dev.panamax.optim;

import dev.panamax.backend.AdamUpdate;
import dev.panamax.tensor.Tensor;
import java.util.Map;

/**
 * Adam with Nesterov momentum (Dozat), with the momentum schedule
 * {@code mu_t = beta1·(1 - 0.5·0.96^(t·momentum_decay))}: PyTorch's {@code torch.optim.NAdam}
 * and its defaults (lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum_decay 4e-3). Shares Adam's
 * fused kernel: the update's gradient and average terms get the coefficients below.
 *
 * <p>The running product of the {@code mu_t} is kept in double precision (PyTorch keeps it in a
 * float32 tensor), so the coefficients are the exact rule's.
 */
public final class NAdam extends FirstOrderOptimizer {
    private NAdam(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends Optimizer.Builder<Builder, NAdam> {
        private Builder() {
            set("lr", 2e-3);
            set("beta1", 0.9);
            set("beta2", 0.999);
            set("eps", 1e-8);
            set("weight_decay", 0);
            set("momentum_decay", 4e-3);
            set("decoupled_weight_decay", false);
        }

        public Builder betas(double beta1, double beta2) {
            return set("beta1", beta1).set("beta2", beta2);
        }

        public Builder eps(double eps) {
            return set("eps", eps);
        }

        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        public Builder momentumDecay(double momentumDecay) {
            return set("momentum_decay", momentumDecay);
        }

        /** Weight decay as in AdamW (scale the parameters) instead of an L2 term in the gradient. */
        public Builder decoupledWeightDecay(boolean decoupled) {
            return set("decoupled_weight_decay", decoupled);
        }

        @Override
        public NAdam build(ParamGroup... groups) {
            return new NAdam(defaults, groups);
        }
    }

    @Override
    protected void checkGroup(ParamGroup g, int index) {
        requireNonNegative(g, index, "lr", "eps");
        requireInRange(g, index, "beta1", 0, 1, false);
        requireInRange(g, index, "beta2", 0, 1, false);
        requireNonNegative(g, index, "weight_decay", "momentum_decay");
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, ParamState state) {
        double step = nextStep(state);
        double lr = g.lr();
        double beta1 = g.get("beta1");
        double beta2 = g.get("beta2");
        double weightDecay = g.get("weight_decay");
        double momentumDecay = g.get("momentum_decay");
        boolean decoupled = g.flag("decoupled_weight_decay");
        double mu = beta1 * (1.0 - 0.5 * Math.pow(0.96, step * momentumDecay));
        double muNext = beta1 * (1.0 - 0.5 * Math.pow(0.96, (step + 1) * momentumDecay));
        double muProduct = state.scalar("mu_product", 1.0) * mu;
        state.put("mu_product", muProduct);
        Tensor expAvg = buffer(state, "exp_avg", param, 0);
        Tensor expAvgSq = buffer(state, "exp_avg_sq", param, 0);
        AdamUpdate u = new AdamUpdate(decoupled ? 1 - lr * weightDecay : 1, decoupled ? 0 : weightDecay, beta1, beta2,
                Math.sqrt(1 - Math.pow(beta2, step)), g.get("eps"),
                lr * (1.0 - mu) / (1.0 - muProduct), lr * muNext / (1.0 - muProduct * muNext));
        updateDense(param, p -> p.backend().adamUpdate(p.operand(), grad.operand(), expAvg.operand(), expAvgSq.operand(), null, u));
    }
}
