package dev.panamax.optim;

import dev.panamax.backend.AdamUpdate;
import dev.panamax.tensor.Tensor;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Adam (Kingma &amp; Ba), optionally AMSGrad: PyTorch's {@code torch.optim.Adam} and its defaults
 * (lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay). Weight decay is added to the gradient
 * (an L2 penalty) unless {@code decoupled_weight_decay} is set, which is {@link AdamW}. One fused
 * kernel pass per parameter.
 */
public class Adam extends FirstOrderOptimizer {
    Adam(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    /** Adam's options; {@link AdamW#builder()} gives the same builder with AdamW's defaults. */
    public static Builder<? extends Adam> builder() {
        return new Builder<Adam>(Adam::new, 0, false);
    }

    /** Options of Adam and AdamW (which differ only in their weight-decay defaults). */
    public static final class Builder<O extends Adam> extends Optimizer.Builder<Builder<O>, O> {
        private final BiFunction<Map<String, Double>, ParamGroup[], O> factory;

        Builder(BiFunction<Map<String, Double>, ParamGroup[], O> factory, double weightDecay, boolean decoupled) {
            this.factory = factory;
            set("lr", 1e-3);
            set("beta1", 0.9);
            set("beta2", 0.999);
            set("eps", 1e-8);
            set("weight_decay", weightDecay);
            set("amsgrad", false);
            set("decoupled_weight_decay", decoupled);
        }

        /** PyTorch's {@code betas}: decay rates of the gradient's running mean and running square. */
        public Builder<O> betas(double beta1, double beta2) {
            return set("beta1", beta1).set("beta2", beta2);
        }

        public Builder<O> eps(double eps) {
            return set("eps", eps);
        }

        public Builder<O> weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        /** Divides by the running maximum of the squared-gradient average (Reddi et al.). */
        public Builder<O> amsgrad(boolean amsgrad) {
            return set("amsgrad", amsgrad);
        }

        public Builder<O> decoupledWeightDecay(boolean decoupled) {
            return set("decoupled_weight_decay", decoupled);
        }

        @Override
        public O build(ParamGroup... groups) {
            return factory.apply(defaults, groups);
        }
    }

    @Override
    protected void checkGroup(ParamGroup g, int index) {
        requireNonNegative(g, index, "lr", "eps");
        requireInRange(g, index, "beta1", 0, 1, false);
        requireInRange(g, index, "beta2", 0, 1, false);
        requireNonNegative(g, index, "weight_decay");
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, ParamState state) {
        double step = nextStep(state);
        double lr = g.lr();
        double beta1 = g.get("beta1");
        double beta2 = g.get("beta2");
        double weightDecay = g.get("weight_decay");
        boolean decoupled = g.flag("decoupled_weight_decay");
        Tensor expAvg = buffer(state, "exp_avg", param, 0);
        Tensor expAvgSq = buffer(state, "exp_avg_sq", param, 0);
        Tensor maxExpAvgSq = g.flag("amsgrad") ? buffer(state, "max_exp_avg_sq", param, 0) : null;
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        AdamUpdate u = new AdamUpdate(decoupled ? 1 - lr * weightDecay : 1, decoupled ? 0 : weightDecay, beta1, beta2,
                Math.sqrt(biasCorrection2), g.get("eps"), 0, lr / biasCorrection1);
        updateDense(param, p -> p.backend().adamUpdate(p.operand(), grad.operand(), expAvg.operand(), expAvgSq.operand(),
                maxExpAvgSq == null ? null : maxExpAvgSq.operand(), u));
    }
}
