package dev.panamax.optim.schedule;

import dev.panamax.optim.Optimizer;
import dev.panamax.optim.ParamGroup;
import java.util.List;

/**
 * The 1cycle policy (Smith &amp; Topin), PyTorch's {@code OneCycleLR}, stepped once per batch: the
 * rate rises from {@code maxLr/divFactor} to {@code maxLr} over the first {@code pctStart} of
 * {@code totalSteps}, then falls to {@code initial/finalDivFactor}; momentum (SGD's
 * {@code momentum}, or {@code beta1} of the Adam family) moves the opposite way between
 * {@code maxMomentum} and {@code baseMomentum}. Defaults as PyTorch: cosine annealing,
 * pct_start 0.3, div_factor 25, final_div_factor 1e4, momentum cycled between 0.85 and 0.95,
 * two phases. The per-group values ({@code initial_lr}, {@code max_lr}, {@code min_lr},
 * {@code max_momentum}, {@code base_momentum}) live in the param groups, as in PyTorch.
 */
public final class OneCycleLR extends LRScheduler {
    /** How a phase moves from its start value to its end value. */
    public enum AnnealStrategy {
        COS,
        LINEAR
    }

    /** A phase ends at step {@code endStep}; its values come from the named group options. */
    private record Phase(double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {}

    private final int totalSteps;
    private final List<Phase> phases;
    private final AnnealStrategy anneal;
    private final boolean cycleMomentum;
    private final String momentumOption;

    private OneCycleLR(Builder b) {
        Optimizer optimizer = b.optimizer;
        if (b.totalSteps < 1) {
            throw new IllegalArgumentException("OneCycleLR: expected a positive total_steps (or epochs and steps_per_epoch), got " + b.totalSteps);
        }
        if (!(b.pctStart >= 0 && b.pctStart <= 1)) {
            throw new IllegalArgumentException("OneCycleLR: expected pct_start between 0 and 1, got " + b.pctStart);
        }
        List<ParamGroup> groups = optimizer.paramGroups();
        if (b.maxLr.length != 1 && b.maxLr.length != groups.size()) {
            throw new IllegalArgumentException("OneCycleLR: expected 1 or " + groups.size() + " values for max_lr, got " + b.maxLr.length);
        }
        String momentum = optimizer.defaults().containsKey("beta1") ? "beta1" : "momentum";
        if (b.cycleMomentum && !optimizer.defaults().containsKey(momentum)) {
            throw new IllegalArgumentException("OneCycleLR: optimizer " + optimizer.name()
                    + " must support momentum or beta1 with cycle_momentum enabled");
        }
        double n = b.totalSteps;
        double p = b.pctStart;
        this.phases = b.threePhase
                ? List.of(new Phase(p * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                        new Phase(2 * p * n - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                        new Phase(n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"))
                : List.of(new Phase(p * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                        new Phase(n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"));
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup g = groups.get(i);
            double max = b.maxLr[b.maxLr.length == 1 ? 0 : i];
            g.set("initial_lr", max / b.divFactor);
            g.set("max_lr", max);
            g.set("min_lr", g.get("initial_lr") / b.finalDivFactor);
            if (b.cycleMomentum) {
                g.set(momentum, b.maxMomentum);
                g.set("max_momentum", b.maxMomentum);
                g.set("base_momentum", b.baseMomentum);
            }
        }
        this.totalSteps = b.totalSteps;
        this.anneal = b.anneal;
        this.cycleMomentum = b.cycleMomentum;
        this.momentumOption = momentum;
        super(optimizer);
    }

    /** A schedule peaking at {@code maxLr} (one value for every group, or one per group). */
    public static Builder builder(Optimizer optimizer, double... maxLr) {
        return new Builder(optimizer, maxLr);
    }

    public static final class Builder {
        private final Optimizer optimizer;
        private final double[] maxLr;
        private int totalSteps;
        private double pctStart = 0.3;
        private AnnealStrategy anneal = AnnealStrategy.COS;
        private boolean cycleMomentum = true;
        private double baseMomentum = 0.85;
        private double maxMomentum = 0.95;
        private double divFactor = 25;
        private double finalDivFactor = 1e4;
        private boolean threePhase;

        private Builder(Optimizer optimizer, double[] maxLr) {
            this.optimizer = optimizer;
            this.maxLr = maxLr.clone();
        }

        public Builder totalSteps(int totalSteps) {
            this.totalSteps = totalSteps;
            return this;
        }

        /** total_steps = epochs · stepsPerEpoch. */
        public Builder epochs(int epochs, int stepsPerEpoch) {
            if (epochs < 1 || stepsPerEpoch < 1) {
                throw new IllegalArgumentException("OneCycleLR: expected positive epochs and steps_per_epoch, got " + epochs + " and " + stepsPerEpoch);
            }
            return totalSteps(Math.multiplyExact(epochs, stepsPerEpoch));
        }

        /** Fraction of the steps spent raising the rate. */
        public Builder pctStart(double pctStart) {
            this.pctStart = pctStart;
            return this;
        }

        public Builder annealStrategy(AnnealStrategy anneal) {
            this.anneal = anneal;
            return this;
        }

        public Builder cycleMomentum(boolean cycleMomentum) {
            this.cycleMomentum = cycleMomentum;
            return this;
        }

        public Builder baseMomentum(double baseMomentum) {
            this.baseMomentum = baseMomentum;
            return this;
        }

        public Builder maxMomentum(double maxMomentum) {
            this.maxMomentum = maxMomentum;
            return this;
        }

        /** initial_lr = max_lr / divFactor. */
        public Builder divFactor(double divFactor) {
            this.divFactor = divFactor;
            return this;
        }

        /** min_lr = initial_lr / finalDivFactor. */
        public Builder finalDivFactor(double finalDivFactor) {
            this.finalDivFactor = finalDivFactor;
            return this;
        }

        /** Rise, fall back to the initial rate, then anneal to the minimum (fast.ai's three phases). */
        public Builder threePhase(boolean threePhase) {
            this.threePhase = threePhase;
            return this;
        }

        public OneCycleLR build() {
            return new OneCycleLR(this);
        }
    }

    @Override
    protected double[] computeLr() {
        int step = lastEpoch();
        if (step > totalSteps) {
            throw new IllegalStateException("OneCycleLR: tried to step " + step + " times; the specified number of total steps is " + totalSteps);
        }
        List<ParamGroup> groups = optimizer().paramGroups();
        double[] lrs = new double[groups.size()];
        for (int i = 0; i < lrs.length; i++) {
            ParamGroup g = groups.get(i);
            double start = 0;
            for (int k = 0; k < phases.size(); k++) {
                Phase phase = phases.get(k);
                if (step <= phase.endStep() || k == phases.size() - 1) {
                    double pct = (step - start) / (phase.endStep() - start);
                    lrs[i] = anneal(g.get(phase.startLr()), g.get(phase.endLr()), pct);
                    if (cycleMomentum) {
                        g.set(momentumOption, anneal(g.get(phase.startMomentum()), g.get(phase.endMomentum()), pct));
                    }
                    break;
                }
                start = phase.endStep();
            }
        }
        return lrs;
    }

    private double anneal(double start, double end, double pct) {
        return anneal == AnnealStrategy.COS ? end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
    }
}
