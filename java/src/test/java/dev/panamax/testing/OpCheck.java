package dev.panamax.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.autograd.GradCheck;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The standard test of an op: on float32 and float64, its forward output and the gradients of
 * every input must match a double-precision reference, where the reference gradient is the
 * central finite difference of the reference forward (in double). Then {@link GradCheck} runs
 * the backend's own backward against finite differences of the backend's float64 forward.
 */
public final class OpCheck {
    /** float32: absolute + relative tolerances for forward and backward. */
    public static final double F32_ATOL = 1e-5;
    public static final double F32_RTOL = 1e-4;
    public static final double F32_GRAD_ATOL = 1e-4;
    public static final double F32_GRAD_RTOL = 1e-3;
    public static final double F64_ATOL = 1e-12;
    public static final double F64_RTOL = 1e-10;
    public static final double F64_GRAD_ATOL = 1e-6;
    public static final double F64_GRAD_RTOL = 1e-5;

    private OpCheck() {}

    /**
     * Runs the op on copies of {@code inputs} (which hold the test values, any dtype) converted to
     * each float type; integer inputs (indices) pass unchanged and get no gradient.
     */
    public static void check(String name, Function<Tensor[], Tensor> op, Function<Ref[], Ref> ref, Tensor... inputs) {
        check(name, op, ref, 1.0, inputs);
    }

    /** Same, with tolerances scaled by {@code tolScale} (for ops with large outputs or accumulation). */
    public static void check(String name, Function<Tensor[], Tensor> op, Function<Ref[], Ref> ref, double tolScale, Tensor... inputs) {
        Ref[] refs = Arrays.stream(inputs).map(Ref::of).toArray(Ref[]::new);
        Ref expected = ref.apply(refs);
        Ref projection;
        try (Tensor r = Tensor.randn(new Generator(7), expected.shape)) {
            projection = Ref.of(r);
        }
        Ref[] expectedGrads = referenceGradients(ref, refs, projection, inputs);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            boolean f32 = dtype == DType.FLOAT32;
            try (Scope ignored = Scope.open()) {
                Tensor[] xs = new Tensor[inputs.length];
                for (int i = 0; i < inputs.length; i++) {
                    xs[i] = inputs[i].dtype().isFloatingPoint() ? inputs[i].to(dtype).requiresGrad(true) : inputs[i];
                }
                Tensor out = op.apply(xs);
                assertClose(name + " forward (" + dtype.pyName() + ")", expected, Ref.of(out),
                        tolScale * (f32 ? F32_ATOL : F64_ATOL), f32 ? F32_RTOL : F64_RTOL);
                if (!out.requiresGrad()) {
                    fail(name + ": the output does not require grad; use checkForward for non-differentiable ops");
                }
                Tensor w = projection.toTensor(out.dtype());
                out.mul(w).sum().backward();
                for (int i = 0; i < inputs.length; i++) {
                    if (expectedGrads[i] == null) {
                        continue;
                    }
                    Ref actual = xs[i].grad() == null ? Ref.zeros(refs[i].shape) : Ref.of(xs[i].grad());
                    assertClose(name + " gradient of input " + i + " (" + dtype.pyName() + ")", expectedGrads[i], actual,
                            tolScale * (f32 ? F32_GRAD_ATOL : F64_GRAD_ATOL), f32 ? F32_GRAD_RTOL : F64_GRAD_RTOL);
                }
            }
        }
        GradCheck.check(op, inputs);
    }

    /** Forward parity only, for ops without a gradient (comparisons, indices, integer results). */
    public static void checkForward(String name, Function<Tensor[], Tensor> op, Function<Ref[], Ref> ref, Tensor... inputs) {
        Ref expected = ref.apply(Arrays.stream(inputs).map(Ref::of).toArray(Ref[]::new));
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor[] xs = Arrays.stream(inputs).map(t -> t.dtype().isFloatingPoint() ? t.to(dtype) : t).toArray(Tensor[]::new);
                boolean f32 = dtype == DType.FLOAT32;
                assertClose(name + " forward (" + dtype.pyName() + ")", expected, Ref.of(op.apply(xs)),
                        f32 ? F32_ATOL : F64_ATOL, f32 ? F32_RTOL : F64_RTOL);
            }
        }
    }

    /** Central differences of sum(ref(x) * projection) in double. */
    private static Ref[] referenceGradients(Function<Ref[], Ref> ref, Ref[] refs, Ref projection, Tensor[] inputs) {
        Ref[] grads = new Ref[refs.length];
        for (int i = 0; i < refs.length; i++) {
            if (!inputs[i].dtype().isFloatingPoint()) {
                continue;
            }
            Ref g = Ref.zeros(refs[i].shape);
            for (int j = 0; j < g.numel(); j++) {
                double x = refs[i].data[j];
                double h = 1e-6 * Math.max(1, Math.abs(x));
                refs[i].data[j] = x + h;
                double plus = ref.apply(refs).dot(projection);
                refs[i].data[j] = x - h;
                double minus = ref.apply(refs).dot(projection);
                refs[i].data[j] = x;
                g.data[j] = (plus - minus) / (2 * h);
            }
            grads[i] = g;
        }
        return grads;
    }

    /** |expected - actual| <= atol + rtol * |expected| elementwise, with NaN matching NaN and equal infinities. */
    public static void assertClose(String what, Ref expected, Ref actual, double atol, double rtol) {
        assertArrayEquals(expected.shape, actual.shape, what + ": shape");
        for (int i = 0; i < expected.numel(); i++) {
            double e = expected.data[i];
            double a = actual.data[i];
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                if (Double.compare(e, a) != 0) {
                    fail(what + ": at " + Arrays.toString(expected.unravel(i)) + " expected " + e + " but got " + a);
                }
                continue;
            }
            if (!(Math.abs(e - a) <= atol + rtol * Math.abs(e))) {
                fail(what + ": at " + Arrays.toString(expected.unravel(i)) + " expected " + e + " but got " + a
                        + " (|diff| " + Math.abs(e - a) + " > " + atol + " + " + rtol + "·|expected|)");
            }
        }
    }

    /**
     * The values of x in a non-contiguous layout (stride 2 in the last dim), differentiably: x is
     * stacked with filler along a new last dim and the x half is selected.
     */
    public static Tensor strided(Tensor x) {
        if (x.rank() == 0) {
            return x.mul(1.0);
        }
        try (Tensor filler = Tensor.full(x.shape(), -777, x.dtype(), x.device());
             Tensor pairs = Tensor.stack(java.util.List.of(filler, x), -1)) {
            Tensor v = pairs.select(-1, 1);
            assertEquals(false, v.isContiguous() && x.size(-1) > 1, "strided() must give a non-contiguous view");
            return v;
        }
    }
}
