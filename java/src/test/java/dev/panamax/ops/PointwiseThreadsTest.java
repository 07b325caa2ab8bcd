package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.backend.cpu.Parallel;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.RefPointwise.UnarySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Results (forward and backward) are bit-identical on 1 and 2 threads for tensors split into many tiles. */
class PointwiseThreadsTest {
    private static final int N = 100_003;

    /** The raw bits of every result of {@code run} (outputs and gradients), computed on {@code threads} threads. */
    private static List<long[]> bits(int threads, Function<Scope, List<Tensor>> run) {
        return CpuThreads.call(threads, () -> {
            assertEquals(threads, Parallel.threads());
            try (Scope scope = Scope.open()) {
                List<long[]> out = new ArrayList<>();
                for (Tensor t : run.apply(scope)) {
                    double[] d = t.toDoubleArray();
                    long[] b = new long[d.length];
                    for (int i = 0; i < d.length; i++) {
                        b[i] = Double.doubleToRawLongBits(d[i]);
                    }
                    out.add(b);
                }
                return out;
            }
        });
    }

    /** Compares the bits of every result on 1 and 2 threads. */
    private static void assertSameOnAnyThreadCount(String what, Function<Scope, List<Tensor>> run) {
        int before = Parallel.threads();
        List<long[]> one = bits(1, run);
        List<long[]> many = bits(2, run);
        for (int k = 0; k < one.size(); k++) {
            long[] a = one.get(k);
            long[] b = many.get(k);
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) {
                if (a[i] != b[i]) {
                    fail(what + ": result " + k + " differs at " + i + " between 1 and 2 threads: "
                            + Double.longBitsToDouble(a[i]) + " vs " + Double.longBitsToDouble(b[i]));
                }
            }
        }
        assertEquals(before, Parallel.threads(), "thread count restored");
    }

    /**
     * float32 ops whose kernels run VectorMath's exp, expm1, log, log1p, tanh or pow: checked on
     * their own in {@link #float32TranscendentalKernels}.
     */
    static boolean transcendentalInFloat32(String name) {
        return Stream.of("exp", "log", "log1p", "pow", "sigmoid", "tanh", "elu", "selu", "gelu", "softplus", "silu")
                .anyMatch(p -> name.equals(p) || name.startsWith(p + " "));
    }

    /** Uniform values in [lo, hi) from the library's generator (no finite differences here, so kinks do not matter). */
    private static Tensor uniform(long seed, double lo, double hi, long... shape) {
        try (Tensor u = Tensor.rand(new Generator(seed), shape); Tensor scaled = u.mul(hi - lo)) {
            return scaled.add(lo);
        }
    }

    private static Tensor gaussian(long seed, long... shape) {
        return Tensor.randn(new Generator(seed), shape);
    }

    /** y = op(x) and dy/dx for a fixed upstream gradient. */
    private static List<Tensor> forwardBackward(Function<Tensor, Tensor> op, Tensor x0, Tensor up, DType t) {
        Tensor x = x0.to(t).requiresGrad(true);
        Tensor y = op.apply(x);
        y.backward(up.to(t));
        return List.of(y, x.grad());
    }

    @Test
    void unaryOpsAndActivations() {
        for (UnarySpec spec : Stream.concat(PointwiseMathTest.ops(), ActivationTest.ops()).toList()) {
            // float64 runs one scalar loop for every op, split the same way: a few ops cover it
            boolean f64 = List.of("exp", "clamp", "gelu", "softplus 1 20").contains(spec.name());
            boolean f32 = !transcendentalInFloat32(spec.name());
            for (DType t : f32 && f64 ? new DType[] {DType.FLOAT32, DType.FLOAT64} : f32 ? new DType[] {DType.FLOAT32}
                    : f64 ? new DType[] {DType.FLOAT64} : new DType[0]) {
                assertSameOnAnyThreadCount(spec.name() + " " + t.pyName(), s -> forwardBackward(spec.op(),
                        uniform(1, spec.lo(), spec.hi(), N), gaussian(2, N), t));
            }
        }
        // strided inputs take the gather path
        assertSameOnAnyThreadCount("relu strided", s -> forwardBackward(x -> OpCheck.strided(x).relu(),
                uniform(3, -4, 4, 3, N), gaussian(4, 3, N), DType.FLOAT32));
        assertSameOnAnyThreadCount("gelu strided", s -> forwardBackward(x -> OpCheck.strided(x).gelu(),
                uniform(3, -4, 4, 3, N), gaussian(4, 3, N), DType.FLOAT64));
    }

    @Test
    void binaryOpsWithBroadcasting() {
        for (PointwiseArithmeticTest.BinarySpec spec : PointwiseArithmeticTest.ops().toList()) {
            boolean f64 = spec.name().equals("mul") || spec.name().equals("pow");
            DType[] types = transcendentalInFloat32(spec.name()) ? new DType[] {DType.FLOAT64}
                    : f64 ? new DType[] {DType.FLOAT32, DType.FLOAT64} : new DType[] {DType.FLOAT32};
            for (DType t : types) {
                assertSameOnAnyThreadCount(spec.name() + " " + t.pyName(), s -> binaryRun(spec, t));
            }
        }
    }

    private static List<Tensor> binaryRun(PointwiseArithmeticTest.BinarySpec spec, DType t) {
        Tensor a = uniform(5, spec.aRange()[0], spec.aRange()[1], N).to(t).requiresGrad(true);
        Tensor b = uniform(6, spec.bRange()[0], spec.bRange()[1], N).to(t).requiresGrad(true);
        Tensor row = uniform(7, spec.bRange()[0], spec.bRange()[1], 1009).to(t).requiresGrad(true);
        Tensor y = spec.op().apply(a, b);
        y.backward(gaussian(8, N).to(t));
        Tensor big = uniform(9, spec.aRange()[0], spec.aRange()[1], 101, 1009).to(t);
        Tensor z = spec.op().apply(big, row); // broadcast row: its gradient is a sum over 101 rows
        z.backward(gaussian(10, 101, 1009).to(t));
        return List.of(y, a.grad(), b.grad(), z, row.grad(), a.lt(b), Tensor.where(a.gt(b), a, b));
    }

    private static List<Tensor> softmaxRun(boolean log, int dim, DType t, long... shape) {
        return forwardBackward(x -> log ? x.logSoftmax(dim) : x.softmax(dim), uniform(11, -8, 8, shape), gaussian(12, shape), t);
    }

    @Test
    void softmaxAndLogSoftmax() {
        for (boolean log : new boolean[] {false, true}) {
            for (int dim : new int[] {0, 1}) {
                assertSameOnAnyThreadCount((log ? "logSoftmax" : "softmax") + " dim " + dim, s -> softmaxRun(log, dim, DType.FLOAT64, 97, 1031));
            }
            assertSameOnAnyThreadCount("one long row", s -> softmaxRun(log, 0, DType.FLOAT64, N));
            // float32 along dim 0 (strided rows) computes in double: no Vector API lanes
            assertSameOnAnyThreadCount("float32 dim 0", s -> softmaxRun(log, 0, DType.FLOAT32, 97, 1031));
        }
    }

    /**
     * The float32 kernels on exp, log, tanh and pow. The Vector API's own lanes for these gave bits
     * that depended on the JIT tier (C2's intrinsic vs the interpreter's per-lane Math), so a tier
     * change between the two runs failed this test; VectorMath's passes use only exactly rounded
     * lane operations (and VectorMathTest compares a cold call with a warm one directly).
     */
    @Test
    void float32TranscendentalKernels() {
        for (UnarySpec spec : Stream.concat(PointwiseMathTest.ops(), ActivationTest.ops()).toList()) {
            if (transcendentalInFloat32(spec.name())) {
                assertSameOnAnyThreadCount(spec.name() + " float32", s -> forwardBackward(spec.op(),
                        uniform(1, spec.lo(), spec.hi(), N), gaussian(2, N), DType.FLOAT32));
            }
        }
        assertSameOnAnyThreadCount("pow float32", s -> binaryRun(PointwiseArithmeticTest.ops().filter(o -> o.name().equals("pow")).findFirst().orElseThrow(),
                DType.FLOAT32));
        for (boolean log : new boolean[] {false, true}) {
            assertSameOnAnyThreadCount("softmax float32 dim 1", s -> softmaxRun(log, 1, DType.FLOAT32, 97, 1031));
        }
    }
}
