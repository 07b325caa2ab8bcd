package dev.panamax.optim.schedule;

import dev.panamax.optim.Optimizer;
import dev.panamax.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Base of the epoch- or step-driven schedules, as {@code torch.optim.lr_scheduler.LRScheduler}:
 * each {@link #step()} advances {@code last_epoch} and sets every group's {@code lr} from the
 * subclass's rule. Construction records each group's {@code initial_lr} (the base rate) unless
 * already there, and takes the initial step to epoch 0.
 *
 * <p>The rules are PyTorch's recursive ({@code get_lr}) forms, which build on the group's current
 * rate, so a schedule composes with other changes to it exactly as in PyTorch.
 *
 * <p>To resume, build the optimizer and the scheduler, then load the optimizer's state dict
 * (it restores the groups' rates) and the scheduler's.
 */
public abstract class LRScheduler {
    private final Optimizer optimizer;
    private final double[] baseLrs;
    private int lastEpoch = -1;
    private int stepCount;
    private boolean initial;
    private double[] lastLr;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) {
            ParamGroup g = groups.get(i);
            if (!g.has("initial_lr")) {
                g.set("initial_lr", g.lr());
            }
            baseLrs[i] = g.get("initial_lr");
        }
        initial = true;
        step();
        initial = false;
    }

    /** The rates for the new {@link #lastEpoch()}, one per group (PyTorch's {@code get_lr}). */
    protected abstract double[] computeLr();

    /** Advances one epoch (or batch, for per-step schedules) and sets the groups' rates. */
    public void step() {
        stepCount++;
        lastEpoch++;
        double[] lrs = computeLr();
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < lrs.length; i++) {
            groups.get(i).set("lr", lrs[i]);
        }
        lastLr = currentLrs();
    }

    /** The rates the last step set, one per group. */
    public double[] getLastLr() {
        return lastLr.clone();
    }

    /** Steps taken since construction, the initial one being epoch 0. */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** True during the initial step that construction takes. */
    protected boolean isInitial() {
        return initial;
    }

    protected Optimizer optimizer() {
        return optimizer;
    }

    protected double baseLr(int group) {
        return baseLrs[group];
    }

    /** The groups' current rates. */
    protected double[] currentLrs() {
        return optimizer.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray();
    }

    /** The current rates, each multiplied by {@code factor}. */
    protected double[] currentLrsTimes(double factor) {
        double[] lrs = currentLrs();
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] *= factor;
        }
        return lrs;
    }

    /** The counters and rates, by PyTorch's names. */
    public SchedulerState stateDict() {
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("last_epoch", (double) lastEpoch);
        v.put("_step_count", (double) stepCount);
        for (int i = 0; i < baseLrs.length; i++) {
            v.put("base_lrs." + i, baseLrs[i]);
            v.put("_last_lr." + i, lastLr[i]);
        }
        return new SchedulerState(getClass().getSimpleName(), v);
    }

    /** Restores counters and rates from {@link #stateDict()} of a scheduler of the same class over as many groups. */
    public void loadStateDict(SchedulerState state) {
        String name = getClass().getSimpleName();
        if (!state.scheduler().equals(name)) {
            throw new IllegalArgumentException(name + ".loadStateDict: the state was saved from " + state.scheduler() + ", not " + name);
        }
        int groups = (int) state.values().keySet().stream().filter(k -> k.startsWith("base_lrs.")).count();
        if (groups != baseLrs.length) {
            throw new IllegalArgumentException(name + ".loadStateDict: the state has " + groups + " parameter group(s), the optimizer has "
                    + baseLrs.length);
        }
        lastEpoch = (int) state.get("last_epoch");
        stepCount = (int) state.get("_step_count");
        for (int i = 0; i < groups; i++) {
            baseLrs[i] = state.get("base_lrs." + i);
            lastLr[i] = state.get("_last_lr." + i);
        }
    }
}
