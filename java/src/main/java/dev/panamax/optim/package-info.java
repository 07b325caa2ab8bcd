/**
 * Optimizers with PyTorch's update rules, names and defaults: the first-order family
 * ({@link dev.panamax.optim.SGD}, {@link dev.panamax.optim.Adagrad},
 * {@link dev.panamax.optim.Adadelta}, {@link dev.panamax.optim.RMSprop},
 * {@link dev.panamax.optim.Adam}, {@link dev.panamax.optim.AdamW},
 * {@link dev.panamax.optim.NAdam}; SGD and the Adam family run one fused backend kernel per
 * parameter) and the closure-based line-search family ({@link dev.panamax.optim.LBFGS},
 * {@link dev.panamax.optim.BFGS}, {@link dev.panamax.optim.ConjugateGradient},
 * {@link dev.panamax.optim.Newton}). Every optimizer has parameter groups with per-group options
 * and a state dict for resume. Also {@link dev.panamax.optim.GradClipping} and
 * {@link dev.panamax.optim.Penalties}; learning-rate schedules are in {@code optim.schedule}.
 *
 * <pre>{@code
 * Optimizer opt = AdamW.builder().lr(1e-3).build(model.parameters());
 * OneCycleLR schedule = OneCycleLR.builder(opt, 4e-3).epochs(3, stepsPerEpoch).build();
 * for (...) {
 *     opt.zeroGrad();
 *     try (Scope s = Scope.open()) {
 *         loss(model.forward(x), y).backward();
 *     }
 *     GradClipping.clipGradNorm(model.parameters(), 1.0);
 *     opt.step();
 *     schedule.step();
 * }
 * }</pre>
 */
package dev.panamax.optim;
