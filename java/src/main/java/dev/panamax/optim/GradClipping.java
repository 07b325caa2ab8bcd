package dev.panamax.optim;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping, as PyTorch's {@code torch.nn.utils.clip_grad_norm_} and
 * {@code clip_grad_value_}: both change the parameters' gradients in place and skip parameters
 * without one.
 */
public final class GradClipping {
    /** Added to the norm before dividing, as PyTorch, so a zero norm gives no division by zero. */
    private static final double NORM_EPS = 1e-6;

    private GradClipping() {}

    /** {@link #clipGradNorm(List, double, double, boolean)} with the 2-norm and no error on a non-finite norm. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2, false);
    }

    /**
     * Scales the gradients so that their total norm (the norm of the vector of every gradient
     * element) is at most {@code maxNorm}: each is multiplied by
     * {@code min(1, maxNorm / (total + 1e-6))}. Returns the total norm before clipping.
     *
     * <p>A non-finite total norm throws when {@code errorIfNonfinite}; otherwise the gradients are
     * scaled as PyTorch does: by 0 for an infinite norm (infinite elements become NaN, the rest
     * 0) and by NaN for a NaN norm.
     *
     * @param normType a positive order, or {@code Double.POSITIVE_INFINITY} for the largest magnitude
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException("clipGradNorm: normType must be positive or infinity, got " + normType);
        }
        List<Tensor> grads = gradients(params);
        if (grads.isEmpty()) {
            return 0;
        }
        double total = 0;
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            for (Tensor g : grads) {
                double norm = norm(g, normType);
                total = normType == Double.POSITIVE_INFINITY ? Math.max(total, norm) : total + Math.pow(norm, normType);
            }
            if (normType != Double.POSITIVE_INFINITY) {
                total = Math.pow(total, 1 / normType);
            }
            if (errorIfNonfinite && !Double.isFinite(total)) {
                throw new IllegalStateException("clipGradNorm: the total norm of order " + normType + " for gradients from the parameters is "
                        + total + ", so it cannot be clipped; pass errorIfNonfinite=false to clip anyway");
            }
            double coef = maxNorm / (total + NORM_EPS);
            double clamped = Double.isNaN(coef) ? coef : Math.min(coef, 1.0);
            if (clamped != 1.0) {
                grads.forEach(g -> g.mul_(clamped));
            }
        }
        return total;
    }

    /** Clamps every gradient element to {@code [-clipValue, clipValue]} (NaN stays NaN). */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clipValue must be >= 0, got " + clipValue);
        }
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            for (Tensor g : gradients(params)) {
                try (Tensor clamped = g.clamp(-clipValue, clipValue)) {
                    g.copy_(clamped);
                }
            }
        }
    }

    private static List<Tensor> gradients(List<Tensor> params) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            if (p.grad() != null) {
                grads.add(p.grad());
            }
        }
        return grads;
    }

    /** One gradient's norm, reduced on its device. */
    private static double norm(Tensor g, double p) {
        try (Tensor a = g.abs()) {
            if (p == Double.POSITIVE_INFINITY) {
                if (a.numel() == 0) {
                    return 0;
                }
                try (Tensor m = a.max()) {
                    return m.item();
                }
            }
            if (p == 1) {
                try (Tensor s = a.sum()) {
                    return s.item();
                }
            }
            try (Tensor powered = p == 2 ? a.mul(a) : a.pow(p); Tensor s = powered.sum()) {
                return Math.pow(s.item(), 1 / p);
            }
        }
    }
}
