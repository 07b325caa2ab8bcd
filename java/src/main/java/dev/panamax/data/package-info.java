/**
 * Data for training: {@link dev.panamax.data.Dataset} (random access to samples),
 * {@link dev.panamax.data.TensorDataset}, and {@link dev.panamax.data.DataLoader} (seeded
 * shuffle, batching, background prefetch). Augmentation is in {@code data.transforms}, file
 * formats in {@code data.io}, ready-made data sets in {@code data.datasets}. Uses only
 * {@code dev.panamax.tensor}.
 */
package dev.panamax.data;
