/**
 * Ready-made data sets: {@link dev.panamax.data.datasets.FashionMnist} (with the embedded sample
 * it falls back to) and {@link dev.panamax.data.datasets.Mnist}.
 */
package dev.panamax.data.datasets;
