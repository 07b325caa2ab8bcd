package dev.panamax.models;

import dev.panamax.autograd.GradMode;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Logistic regression (one output: the logit of the positive class, for BCEWithLogitsLoss) or
 * softmax regression (C outputs: class logits, for CrossEntropyLoss): one linear layer,
 * {@code linear}. {@link #hessian} gives the exact Hessian of the mean loss for Newton's method.
 */
public final class LogisticRegression extends Module {
    private final Linear linear;
    private final int outputs;

    /** @param numClasses 2 or more for softmax regression; 1 for binary logistic regression */
    public LogisticRegression(long inFeatures, int numClasses, Generator gen) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("LogisticRegression: numClasses must be at least 1, got " + numClasses);
        }
        this.outputs = numClasses;
        linear = registerModule("linear", new Linear(inFeatures, numClasses, true, gen));
    }

    public Linear linear() {
        return linear;
    }

    /** Logits [N, outputs]. */
    @Override
    public Tensor forward(Tensor x) {
        return linear.forward(x);
    }

    /** Probabilities: sigmoid of the logit with one output, softmax over the classes otherwise. */
    public Tensor probabilities(Tensor x) {
        try (Tensor logits = forward(x)) {
            return outputs == 1 ? logits.sigmoid() : logits.softmax(1);
        }
    }

    /**
     * The Hessian of the mean loss over the rows of x [N, D] (binary cross entropy with logits for
     * one output, cross entropy otherwise) with respect to the parameters flattened in order
     * (weight [C, D] row by row, then bias [C]), as float64 [C(D+1), C(D+1)]:
     * (1/N) Σ_n (diag(p_n) - p_n p_nᵀ) ⊗ x̃_n x̃_nᵀ with x̃ = [x, 1], p the softmax (for one output,
     * p(1 - p) with p the sigmoid). The loss is convex, so the Hessian is positive semi-definite.
     */
    public Tensor hessian(Tensor x) {
        long n = x.size(0);
        long d = x.size(1);
        long c = outputs;
        try (GradMode.Guard ignored = GradMode.noGrad(); Tensor xd = x.to(DType.FLOAT64); Tensor ones = Tensor.ones(DType.FLOAT64, n, 1);
             Tensor augmented = Tensor.cat(java.util.List.of(xd, ones), 1); Tensor probs = probabilities(x); Tensor p = probs.to(DType.FLOAT64);
             Tensor curvature = curvature(p, n, c); Tensor perRow = curvature.reshape(n, c * c); Tensor perRowT = perRow.t();
             Tensor column = augmented.unsqueeze(2); Tensor row = augmented.unsqueeze(1); Tensor outer3 = column.mul(row);
             Tensor outer = outer3.reshape(n, (d + 1) * (d + 1)); Tensor total = perRowT.matmul(outer); Tensor mean = total.div(n);
             Tensor grid = mean.reshape(c, c, d + 1, d + 1); Tensor byClass = grid.permute(0, 2, 1, 3);
             Tensor blocks = byClass.reshape(c * (d + 1), c * (d + 1)); Tensor order = parameterOrder(c, d);
             Tensor rows = blocks.indexSelect(0, order)) {
            return rows.indexSelect(1, order);
        }
    }

    /** Per row, the Hessian of the loss with respect to the logits: [N, C, C]. */
    private static Tensor curvature(Tensor p, long n, long c) {
        if (c == 1) {
            try (Tensor q = p.neg(); Tensor oneMinus = q.add(1); Tensor v = p.mul(oneMinus)) {
                return v.reshape(n, 1, 1);
            }
        }
        try (Tensor eye = Tensor.eye(c); Tensor eyeD = eye.to(DType.FLOAT64); Tensor column = p.unsqueeze(2); Tensor row = p.unsqueeze(1);
             Tensor diag = column.mul(eyeD); Tensor outer = column.mul(row)) {
            return diag.sub(outer);
        }
    }

    /** For each parameter position (weight row-major, then bias), its index in the per-class [x, 1] blocks. */
    private static Tensor parameterOrder(long c, long d) {
        long[] order = new long[(int) (c * (d + 1))];
        int at = 0;
        for (long k = 0; k < c; k++) {
            for (long j = 0; j < d; j++) {
                order[at++] = k * (d + 1) + j;
            }
        }
        for (long k = 0; k < c; k++) {
            order[at++] = k * (d + 1) + d;
        }
        return Tensor.of(order, order.length);
    }
}
