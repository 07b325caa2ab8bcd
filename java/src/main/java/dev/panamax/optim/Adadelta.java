package dev.panamax.optim;

import dev.panamax.tensor.Tensor;
import java.util.Map;

/**
 * Adadelta (Zeiler): steps scaled by the ratio of the running RMS of past updates to the running
 * RMS of gradients. PyTorch's {@code torch.optim.Adadelta} and its defaults (lr 1.0, rho 0.9,
 * eps 1e-6, weight_decay 0).
 */
public final class Adadelta extends FirstOrderOptimizer {
    private Adadelta(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends Optimizer.Builder<Builder, Adadelta> {
        private Builder() {
            set("lr", 1.0);
            set("rho", 0.9);
            set("eps", 1e-6);
            set("weight_decay", 0);
        }

        /** Decay rate of the running averages. */
        public Builder rho(double rho) {
            return set("rho", rho);
        }

        public Builder eps(double eps) {
            return set("eps", eps);
        }

        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        @Override
        public Adadelta build(ParamGroup... groups) {
            return new Adadelta(defaults, groups);
        }
    }

    @Override
    protected void checkGroup(ParamGroup g, int index) {
        requireNonNegative(g, index, "lr");
        requireInRange(g, index, "rho", 0, 1, true);
        requireNonNegative(g, index, "eps", "weight_decay");
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, ParamState state) {
        nextStep(state);
        double rho = g.get("rho");
        double eps = g.get("eps");
        Tensor squareAvg = buffer(state, "square_avg", param, 0);
        Tensor accDelta = buffer(state, "acc_delta", param, 0);
        Tensor d = withWeightDecay(grad, param, g.get("weight_decay"));
        squareAvg.mul_(rho);
        addProduct(squareAvg, d, d, 1 - rho);
        try (Tensor sa = squareAvg.add(eps); Tensor std = sa.sqrt(); Tensor ad = accDelta.add(eps); Tensor rms = ad.sqrt();
             Tensor ratio = rms.div(std); Tensor delta = ratio.mul(d); Tensor step = delta.mul(-g.lr())) {
            accDelta.mul_(rho);
            addProduct(accDelta, delta, delta, 1 - rho);
            param.add_(step);
        }
    }
}
