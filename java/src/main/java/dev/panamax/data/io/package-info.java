/**
 * Reading and writing arrays: IDX (the MNIST family), NumPy {@code .npy} and {@code .npz},
 * safetensors, and CSV tables. Every size a file claims is checked against the file before it is
 * used; a malformed file gives a {@link dev.panamax.data.io.MalformedFileException} naming the
 * file and the problem.
 */
package dev.panamax.data.io;
