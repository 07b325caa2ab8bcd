/**
 * Learning-rate schedules, as {@code torch.optim.lr_scheduler}: {@link
 * dev.panamax.optim.schedule.StepLR}, {@link dev.panamax.optim.schedule.MultiStepLR}, {@link
 * dev.panamax.optim.schedule.ExponentialLR}, {@link dev.panamax.optim.schedule.CosineAnnealingLR},
 * {@link dev.panamax.optim.schedule.LinearLR} (warm-up), {@link
 * dev.panamax.optim.schedule.OneCycleLR} (also cycles momentum or Adam's beta1) and {@link
 * dev.panamax.optim.schedule.ReduceLROnPlateau}. They change the optimizer's param groups; each
 * has a state dict for resume.
 */
package dev.panamax.optim.schedule;
