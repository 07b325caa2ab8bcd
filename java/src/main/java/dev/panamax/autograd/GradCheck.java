package dev.panamax.autograd;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.function.Function;

/**
 * Checks a function's analytic gradients against central finite differences, in double
 * precision (as {@code torch.autograd.gradcheck}).
 *
 * <p>Floating-point inputs are copied to float64 leaves; other inputs (indices, masks) are
 * passed unchanged. A non-scalar output is projected on a fixed random tensor, so every output
 * element's gradient takes part.
 */
public final class GradCheck {
    public static final double DEFAULT_EPS = 1e-6;
    public static final double DEFAULT_ATOL = 1e-5;
    public static final double DEFAULT_RTOL = 1e-3;

    private GradCheck() {}

    /** What was compared: element count and the worst absolute and relative mismatch. */
    public record Report(long elements, double maxAbsError, double maxRelError) {}

    /** A gradient element outside the tolerance. */
    public static final class Failure extends AssertionError {
        Failure(String message) {
            super(message);
        }
    }

    public static Report check(Function<Tensor[], Tensor> fn, Tensor... inputs) {
        return check(fn, DEFAULT_EPS, DEFAULT_ATOL, DEFAULT_RTOL, inputs);
    }

    /**
     * @throws Failure naming the input, element, analytic and numeric values of the first
     *                 element with |analytic - numeric| &gt; atol + rtol·|numeric|
     */
    public static Report check(Function<Tensor[], Tensor> fn, double eps, double atol, double rtol, Tensor... inputs) {
        Tensor[] xs = new Tensor[inputs.length];
        Tensor projection = null;
        try {
            // scopes free what the conversions and fn create in passing; the leaves and projection outlive them.
            // The copies are not recorded, so an input that requires grad (as torch's gradcheck wants) still gives a fresh leaf.
            try (GradMode.Guard ng = GradMode.noGrad(); Scope ignored = Scope.open()) {
                for (int i = 0; i < inputs.length; i++) {
                    xs[i] = inputs[i].dtype().isFloatingPoint()
                            ? inputs[i].to(DType.FLOAT64).contiguousCopy().unscoped().requiresGrad(true)
                            : inputs[i].alias().unscoped();
                }
            }
            Analytic backward = analyticGradients(fn, xs);
            Tensor[] analytic = backward.grads();
            projection = backward.projection();
            long elements = 0;
            double maxAbs = 0;
            double maxRel = 0;
            for (int i = 0; i < xs.length; i++) {
                if (!xs[i].requiresGrad()) {
                    continue;
                }
                double[] a = analytic[i] == null ? new double[(int) xs[i].numel()] : analytic[i].toDoubleArray();
                for (long j = 0; j < xs[i].numel(); j++) {
                    double numeric = numericDerivative(fn, xs, projection, i, j, eps);
                    double err = Math.abs(a[(int) j] - numeric);
                    maxAbs = Math.max(maxAbs, err);
                    maxRel = Math.max(maxRel, err / Math.max(Math.abs(numeric), 1e-12));
                    if (!(err <= atol + rtol * Math.abs(numeric))) {
                        throw new Failure("gradient mismatch for input " + i + " " + inputs[i].shape() + " at flat index " + j
                                + ": analytic " + a[(int) j] + ", numeric " + numeric + " (|diff| " + err + " > atol " + atol
                                + " + rtol " + rtol + " * |numeric|)");
                    }
                    elements++;
                }
                if (analytic[i] != null) {
                    analytic[i].close();
                }
            }
            return new Report(elements, maxAbs, maxRel);
        } finally {
            for (Tensor x : xs) {
                if (x != null) {
                    x.close();
                }
            }
            if (projection != null) {
                projection.close();
            }
        }
    }

    /** The fixed random weights of fn's output elements, float64 in the current scope. */
    private static Tensor projection(Tensor out) {
        return Tensor.randn(new Generator(20260101L), out.shape().toArray()).to(DType.FLOAT64);
    }

    /** The inputs' gradients of projection · fn(xs), and the projection, which the numeric derivatives reuse. */
    private record Analytic(Tensor[] grads, Tensor projection) {}

    private static Analytic analyticGradients(Function<Tensor[], Tensor> fn, Tensor[] xs) {
        Tensor projection;
        try (Scope ignored = Scope.open()) {
            Tensor out = fn.apply(xs);
            if (!out.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("GradCheck: the function's output must be floating point, got " + out.describe());
            }
            if (!out.requiresGrad()) {
                throw new IllegalArgumentException("GradCheck: the output does not depend on any input that requires grad");
            }
            projection = projection(out).unscoped();
            out.mul(projection).sum().backward();
        }
        Tensor[] grads = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            grads[i] = xs[i].grad() == null ? null : xs[i].grad().alias().unscoped();
            if (xs[i].requiresGrad()) {
                xs[i].zeroGrad();
            }
        }
        return new Analytic(grads, projection);
    }

    private static double numericDerivative(Function<Tensor[], Tensor> fn, Tensor[] xs, Tensor projection, int input, long index, double eps) {
        Tensor x = xs[input];
        try (GradMode.Guard ignored = GradMode.noGrad(); Tensor element = x.viewOf(Shape.scalar(), new long[0], index)) {
            double original = element.item();
            element.fill_(original + eps);
            double plus = projected(fn, xs, projection);
            element.fill_(original - eps);
            double minus = projected(fn, xs, projection);
            element.fill_(original);
            return (plus - minus) / (2 * eps);
        }
    }

    private static double projected(Function<Tensor[], Tensor> fn, Tensor[] xs, Tensor projection) {
        try (Scope ignored = Scope.open()) {
            return fn.apply(xs).to(DType.FLOAT64).mul(projection).sum().item();
        }
    }
}
