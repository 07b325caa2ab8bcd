package dev.panamax.nn;

import dev.panamax.tensor.Tensor;

/**
 * A module's learnable tensor with its dotted name (e.g. {@code features.0.weight}), as listed by
 * {@link Module#namedParameters()}. The tensor is a leaf that requires grad; optimizers update it
 * in place, so the object a module and its optimizer hold stays the same.
 */
public record Parameter(String name, Tensor tensor) {}
