package dev.panamax.backend;

/**
 * The coefficients of one fused Adam-family step ({@link Backend#adamUpdate}); the optimizer folds
 * the learning rate and the step-dependent bias corrections into them. Per element:
 * <pre>
 * g     = grad + weightDecay·param                  (L2 penalty coupled to the gradient)
 * param = paramScale·param                          (decoupled weight decay, AdamW: 1 - lr·wd)
 * m     = lerp(m, g, 1 - beta1)
 * v     = beta2·v + (1 - beta2)·g²
 * vmax  = max(vmax, v)                              (AMSGrad only; the denominator then uses vmax)
 * denom = sqrt(v) / biasCorrection2Sqrt + eps
 * param = param - gradStep·(g / denom) - avgStep·(m / denom)
 * </pre>
 * Adam and AdamW use {@code avgStep = lr / (1 - beta1^t)} and {@code gradStep = 0}; NAdam uses both.
 */
public record AdamUpdate(double paramScale, double weightDecay, double beta1, double beta2, double biasCorrection2Sqrt,
                         double eps, double gradStep, double avgStep) {}
