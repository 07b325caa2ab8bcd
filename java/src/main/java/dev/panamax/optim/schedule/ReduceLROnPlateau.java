package dev.panamax.optim.schedule;

import dev.panamax.optim.Optimizer;
import dev.panamax.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts the rates by {@code factor} when a metric has not improved for {@code patience} epochs:
 * PyTorch's {@code ReduceLROnPlateau} and its defaults (mode min, factor 0.1, patience 10,
 * threshold 1e-4 relative, cooldown 0, min_lr 0, eps 1e-8). Call {@link #step(double)} with the
 * metric once per epoch.
 */
public final class ReduceLROnPlateau {
    /** Whether lower ({@code MIN}, a loss) or higher ({@code MAX}, an accuracy) is better. */
    public enum Mode {
        MIN,
        MAX
    }

    /** Whether an improvement must beat the best by {@code threshold} relatively or absolutely. */
    public enum ThresholdMode {
        REL,
        ABS
    }

    private final Optimizer optimizer;
    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double[] minLrs;
    private final double eps;
    private int lastEpoch;
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private double[] lastLr;

    private ReduceLROnPlateau(Builder b) {
        List<ParamGroup> groups = b.optimizer.paramGroups();
        if (!(b.factor < 1.0)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: factor should be < 1.0, got " + b.factor);
        }
        if (b.minLr.length != 1 && b.minLr.length != groups.size()) {
            throw new IllegalArgumentException("ReduceLROnPlateau: expected 1 or " + groups.size() + " min_lrs, got " + b.minLr.length);
        }
        this.optimizer = b.optimizer;
        this.mode = b.mode;
        this.factor = b.factor;
        this.patience = b.patience;
        this.threshold = b.threshold;
        this.thresholdMode = b.thresholdMode;
        this.cooldown = b.cooldown;
        this.eps = b.eps;
        this.minLrs = new double[groups.size()];
        for (int i = 0; i < minLrs.length; i++) {
            minLrs[i] = b.minLr[b.minLr.length == 1 ? 0 : i];
        }
        this.best = worst();
        this.lastLr = currentLrs();
    }

    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    public static final class Builder {
        private final Optimizer optimizer;
        private Mode mode = Mode.MIN;
        private double factor = 0.1;
        private int patience = 10;
        private double threshold = 1e-4;
        private ThresholdMode thresholdMode = ThresholdMode.REL;
        private int cooldown;
        private double[] minLr = {0};
        private double eps = 1e-8;

        private Builder(Optimizer optimizer) {
            this.optimizer = optimizer;
        }

        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /** new_lr = lr · factor. */
        public Builder factor(double factor) {
            this.factor = factor;
            return this;
        }

        /** Epochs without improvement tolerated before a cut. */
        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        public Builder thresholdMode(ThresholdMode thresholdMode) {
            this.thresholdMode = thresholdMode;
            return this;
        }

        /** Epochs after a cut during which bad epochs are not counted. */
        public Builder cooldown(int cooldown) {
            this.cooldown = cooldown;
            return this;
        }

        /** Floor of the rates: one value, or one per group. */
        public Builder minLr(double... minLr) {
            this.minLr = minLr.clone();
            return this;
        }

        /** Cuts smaller than this are skipped. */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }

    /** Records one epoch's metric, cutting the rates after {@code patience} epochs without improvement. */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric, best)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > patience) {
            reduceLr();
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        lastLr = currentLrs();
    }

    private void reduceLr() {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            double old = groups.get(i).lr();
            double cut = Math.max(old * factor, minLrs[i]);
            if (old - cut > eps) {
                groups.get(i).set("lr", cut);
            }
        }
    }

    private boolean isBetter(double a, double best) {
        return switch (mode) {
            case MIN -> thresholdMode == ThresholdMode.REL ? a < best * (1.0 - threshold) : a < best - threshold;
            case MAX -> thresholdMode == ThresholdMode.REL ? a > best * (threshold + 1.0) : a > best + threshold;
        };
    }

    private double worst() {
        return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    private double[] currentLrs() {
        return optimizer.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray();
    }

    /** The rates after the last step, one per group. */
    public double[] getLastLr() {
        return lastLr.clone();
    }

    /** The best metric seen so far. */
    public double best() {
        return best;
    }

    public SchedulerState stateDict() {
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("last_epoch", (double) lastEpoch);
        v.put("best", best);
        v.put("num_bad_epochs", (double) numBadEpochs);
        v.put("cooldown_counter", (double) cooldownCounter);
        for (int i = 0; i < lastLr.length; i++) {
            v.put("_last_lr." + i, lastLr[i]);
        }
        return new SchedulerState("ReduceLROnPlateau", v);
    }

    public void loadStateDict(SchedulerState state) {
        if (!state.scheduler().equals("ReduceLROnPlateau")) {
            throw new IllegalArgumentException("ReduceLROnPlateau.loadStateDict: the state was saved from " + state.scheduler()
                    + ", not ReduceLROnPlateau");
        }
        int groups = (int) state.values().keySet().stream().filter(k -> k.startsWith("_last_lr.")).count();
        if (groups != lastLr.length) {
            throw new IllegalArgumentException("ReduceLROnPlateau.loadStateDict: the state has " + groups
                    + " parameter group(s), the optimizer has " + lastLr.length);
        }
        lastEpoch = (int) state.get("last_epoch");
        best = state.get("best");
        numBadEpochs = (int) state.get("num_bad_epochs");
        cooldownCounter = (int) state.get("cooldown_counter");
        for (int i = 0; i < groups; i++) {
            lastLr[i] = state.get("_last_lr." + i);
        }
    }
}
