package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertValues;

import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefPointwise;
import dev.panamax.testing.RefPointwise.Layout;
import dev.panamax.testing.RefPointwise.UnarySpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Vector tails: every op over n = 16k + r elements, r = 0..16 (16 float lanes with AVX-512; the
 * sizes also straddle the 2048-element tile), compared elementwise with the reference, forward
 * and backward, from an unaligned start; and in-place writes must not spill past the end.
 */
class PointwiseTailTest {
    private static final int[] BASES = {0, 48, 2048};

    /** x[1:n+1] of an n+1 element tensor: dense, but starting one element into its storage. */
    private static Layout offsetByOne(int n) {
        return new Layout("offset 1", new long[] {n + 1}, t -> t.narrow(0, 1, n), r -> RefPointwise.slice(r, 0, 1, n + 1, 1));
    }

    @Test
    void unaryOpsOnEveryTailLength() {
        List<UnarySpec> specs = Stream.concat(PointwiseMathTest.ops(), ActivationTest.ops()).toList();
        for (int base : BASES) {
            for (int r = 0; r <= 16; r++) {
                int n = base + r;
                for (UnarySpec spec : specs) {
                    try (Tensor x = RefPointwise.values(n * 131L + spec.name().hashCode(), spec.lo(), spec.hi(), 0.02, spec.avoid(), n + 1)) {
                        RefPointwise.checkUnaryLarge(spec.name() + " n=" + n, spec.op(), spec.f(), spec.df(), offsetByOne(n), x, 1.0);
                    }
                }
            }
        }
    }

    @Test
    void binaryOpsOnEveryTailLength() {
        List<PointwiseArithmeticTest.BinarySpec> specs = PointwiseArithmeticTest.ops().toList();
        for (int base : BASES) {
            for (int r = 0; r <= 16; r++) {
                int n = base + r;
                for (PointwiseArithmeticTest.BinarySpec spec : specs) {
                    try (Scope ignored = Scope.open()) {
                        RefPointwise.checkBinaryLarge(spec.name() + " n=" + n, spec.op(), spec.f(), spec.da(), spec.db(), offsetByOne(n),
                                spec.a(n * 7L, n + 1), spec.b(n * 7L + 1, n + 1));
                    }
                }
            }
        }
    }

    @Test
    void comparisonsWhereAndSoftmaxOnEveryTailLength() {
        for (int base : BASES) {
            for (int r = 0; r <= 16; r++) {
                int n = base + r;
                try (Scope ignored = Scope.open()) {
                    Tensor a = RefPointwise.values(n, -2, 2, n);
                    Tensor b = RefPointwise.values(n + 1000, -2, 2, n);
                    RefPointwise.checkForwardLarge("lt n=" + n, x -> x[0].lt(x[1]), x -> Ref.zip(x[0], x[1], (u, v) -> u < v ? 1 : 0), 0, a, b);
                    RefPointwise.checkForwardLarge("where n=" + n, x -> Tensor.where(x[0].gt(0), x[0], x[1]),
                            x -> Ref.zip(x[0], x[1], (u, v) -> u > 0 ? u : v), 0, a, b);
                    if (n > 0) {
                        SoftmaxTest.checkLarge(offsetByOne(n), RefPointwise.values(n + 7, -5, 5, n + 1), 0, false);
                        SoftmaxTest.checkLarge(offsetByOne(n), RefPointwise.values(n + 8, -5, 5, n + 1), 0, true);
                    }
                }
            }
        }
    }

    @Test
    void inPlaceWritesStayInsideTheView() {
        for (int base : BASES) {
            for (int r = 0; r <= 16; r++) {
                int n = base + r;
                try (Scope ignored = Scope.open()) {
                    Tensor buffer = Tensor.full(-9, n + 40);
                    Tensor view = buffer.narrow(0, 7, n);
                    view.add_(Tensor.ones(n));
                    view.mul_(3.0);
                    view.div_(Tensor.full(2, 1));
                    double[] expected = new double[n + 40];
                    java.util.Arrays.fill(expected, -9);
                    for (int i = 7; i < 7 + n; i++) {
                        expected[i] = -12;
                    }
                    assertValues("in-place ops on buffer[7:" + (7 + n) + "]", expected, buffer);
                }
            }
        }
    }
}
