/**
 * Image transforms and augmentation with torchvision's names and defaults, on float tensors of
 * shape [C, H, W] or [B, C, H, W]: {@link dev.panamax.data.transforms.Normalize},
 * {@link dev.panamax.data.transforms.RandomCrop}, {@link dev.panamax.data.transforms.RandomHorizontalFlip},
 * {@link dev.panamax.data.transforms.RandomErasing}, {@link dev.panamax.data.transforms.RandomAffine}
 * and {@link dev.panamax.data.transforms.RandomRotation}, composed with
 * {@link dev.panamax.data.transforms.Transform#compose}. Random draws come from a
 * {@link dev.panamax.tensor.Generator}.
 */
package dev.panamax.data.transforms;
