package dev.panamax.ops;

import dev.panamax.backend.RandomKind;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/**
 * Regularisers: dropout (elementwise and whole channels) with seeded masks, maxout, and the L1
 * and L2 weight penalties, with PyTorch's semantics where PyTorch has the function.
 */
public final class Regularization {
    private Regularization() {}

    /** {@link #dropout(Tensor, double, boolean, Generator)} with the global generator. */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        return dropout(x, p, training, null);
    }

    /**
     * Zeroes each element with probability p and scales the kept ones by 1 / (1 - p), so the
     * expected value is unchanged; the identity when not training or p = 0, zeros when p = 1.
     * The mask comes from {@code generator} (null: the global one).
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        return dropMasked("dropout", x, x.shape().toArray(), p, training, generator);
    }

    /** {@link #dropout2d(Tensor, double, boolean, Generator)} with the global generator. */
    public static Tensor dropout2d(Tensor x, double p, boolean training) {
        return dropout2d(x, p, training, null);
    }

    /**
     * Dropout of whole channels: each channel of x (N, C, H, W), or of an unbatched (C, H, W),
     * is zeroed with probability p, the others scaled by 1 / (1 - p) (nn.Dropout2d).
     */
    public static Tensor dropout2d(Tensor x, double p, boolean training, Generator generator) {
        if (x.rank() != 3 && x.rank() != 4) {
            throw new IllegalArgumentException("dropout2d: expected a 4-D (N, C, H, W) or 3-D (C, H, W) input, got " + x.shape());
        }
        long[] maskShape = x.shape().toArray();
        for (int d = x.rank() - 2; d < x.rank(); d++) {
            maskShape[d] = 1;
        }
        return dropMasked("dropout2d", x, maskShape, p, training, generator);
    }

    /** x times a mask of {@code maskShape} (broadcast to x) holding 0 or 1 / (1 - p). */
    private static Tensor dropMasked(String op, Tensor x, long[] maskShape, double p, boolean training, Generator generator) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(op + ": dropout probability has to be between 0 and 1, but got " + p);
        }
        OpSupport.requireFloatingPoint(op, "input", x);
        if (!training || p == 0 || x.numel() == 0) {
            return x.alias();
        }
        Generator gen = generator == null ? Generator.global() : generator;
        try (Tensor mask = OpSupport.empty(x, Shape.of(maskShape), x.dtype())) {
            mask.random_(gen, RandomKind.BERNOULLI, 1 - p, 0);
            if (p < 1) {
                mask.mul_(1 / (1 - p));
            }
            return Pointwise.mul(x, mask);
        }
    }

    /**
     * Maxout (Goodfellow et al., 2013): dim's features taken in groups of {@code pieces}
     * consecutive ones, each group replaced by its maximum; dim shrinks by the factor pieces. The
     * gradient goes to the first maximum of each group.
     */
    public static Tensor maxout(Tensor x, int pieces, int dim) {
        String op = "maxout";
        if (x.rank() == 0) {
            throw new IllegalArgumentException(op + ": expected an input with at least one dim, got a 0-d tensor");
        }
        int d = Shape.normalizeDim(dim, x.rank(), op);
        if (pieces < 1) {
            throw new IllegalArgumentException(op + ": pieces must be positive, got " + pieces);
        }
        long size = x.size(d);
        if (size % pieces != 0) {
            throw new IllegalArgumentException(op + ": size " + size + " of dim " + dim + " of the input " + x.shape()
                    + " is not divisible by pieces " + pieces);
        }
        long[] grouped = new long[x.rank() + 1];
        for (int i = 0, j = 0; i < x.rank(); i++) {
            if (i == d) {
                grouped[j++] = size / pieces;
                grouped[j++] = pieces;
            } else {
                grouped[j++] = x.size(i);
            }
        }
        try (Tensor groups = x.reshape(grouped); Reduction.ValuesIndices max = Reduction.max(groups, d + 1, false)) {
            return max.values().alias();
        }
    }

    /** The sum of |w| over every element of every tensor (add {@code lambda * l1Penalty(params)} to a loss). */
    public static Tensor l1Penalty(Tensor... tensors) {
        return penalty("l1Penalty", true, tensors);
    }

    /** The sum of w² over every element of every tensor. */
    public static Tensor l2Penalty(Tensor... tensors) {
        return penalty("l2Penalty", false, tensors);
    }

    private static Tensor penalty(String op, boolean absolute, Tensor[] tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException(op + ": expected at least one tensor");
        }
        Tensor total = null;
        for (int i = 0; i < tensors.length; i++) {
            Tensor w = tensors[i];
            if (w == null) {
                throw new IllegalArgumentException(op + ": tensor " + i + " is null");
            }
            OpSupport.requireFloatingPoint(op, "tensor " + i, w);
            Tensor term;
            try (Tensor e = absolute ? w.abs() : w.mul(w)) {
                term = e.sum();
            }
            if (total == null) {
                total = term;
            } else {
                try (Tensor previous = total; term) {
                    total = previous.add(term);
                }
            }
        }
        return total;
    }
}
