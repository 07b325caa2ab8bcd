package dev.panamax.optim;

import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter): each step first scales the
 * parameters by {@code 1 - lr·weight_decay}. PyTorch's {@code torch.optim.AdamW} and its defaults
 * (those of Adam, but weight decay 1e-2).
 */
public final class AdamW extends Adam {
    AdamW(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Adam.Builder<AdamW> builder() {
        return new Adam.Builder<>(AdamW::new, 1e-2, true);
    }
}
