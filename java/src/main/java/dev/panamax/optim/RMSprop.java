package dev.panamax.optim;

import dev.panamax.tensor.Tensor;
import java.util.Map;

/**
 * RMSprop (Hinton): steps divided by a running RMS of the gradients, optionally centred (by the
 * running mean's square) and with momentum. PyTorch's {@code torch.optim.RMSprop} and its
 * defaults (lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, not centred).
 */
public final class RMSprop extends FirstOrderOptimizer {
    private RMSprop(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends Optimizer.Builder<Builder, RMSprop> {
        private Builder() {
            set("lr", 1e-2);
            set("alpha", 0.99);
            set("eps", 1e-8);
            set("weight_decay", 0);
            set("momentum", 0);
            set("centered", false);
        }

        /** Decay rate of the running averages. */
        public Builder alpha(double alpha) {
            return set("alpha", alpha);
        }

        public Builder eps(double eps) {
            return set("eps", eps);
        }

        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        public Builder momentum(double momentum) {
            return set("momentum", momentum);
        }

        /** Normalise by an estimate of the gradient's variance instead of its raw second moment. */
        public Builder centered(boolean centered) {
            return set("centered", centered);
        }

        @Override
        public RMSprop build(ParamGroup... groups) {
            return new RMSprop(defaults, groups);
        }
    }

    @Override
    protected void checkGroup(ParamGroup g, int index) {
        requireNonNegative(g, index, "lr", "eps", "momentum", "weight_decay", "alpha");
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, ParamState state) {
        nextStep(state);
        double alpha = g.get("alpha");
        double momentum = g.get("momentum");
        Tensor squareAvg = buffer(state, "square_avg", param, 0);
        Tensor d = withWeightDecay(grad, param, g.get("weight_decay"));
        squareAvg.mul_(alpha);
        addProduct(squareAvg, d, d, 1 - alpha);
        try (Tensor avg = denominator(g, state, param, squareAvg, d, alpha)) {
            if (momentum > 0) {
                Tensor buf = buffer(state, "momentum_buffer", param, 0);
                buf.mul_(momentum);
                addQuotient(buf, d, avg, 1);
                try (Tensor step = buf.mul(-g.lr())) {
                    param.add_(step);
                }
            } else {
                addQuotient(param, d, avg, -g.lr());
            }
        }
    }

    /** sqrt(E[g²]) + eps, or sqrt(E[g²] - E[g]²) + eps when centred. */
    private static Tensor denominator(ParamGroup g, ParamState state, Tensor param, Tensor squareAvg, Tensor d, double alpha) {
        if (!g.flag("centered")) {
            try (Tensor root = squareAvg.sqrt()) {
                return root.add(g.get("eps"));
            }
        }
        Tensor gradAvg = buffer(state, "grad_avg", param, 0);
        lerp(gradAvg, d, 1 - alpha);
        try (Tensor sq = gradAvg.mul(gradAvg); Tensor variance = squareAvg.sub(sq); Tensor root = variance.sqrt()) {
            return root.add(g.get("eps"));
        }
    }
}
