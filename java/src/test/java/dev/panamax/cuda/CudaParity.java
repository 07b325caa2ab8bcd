package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The standard GPU test of an op: the same op on the same inputs on the CPU backend and on the
 * GPU, in float32 and float64; the outputs and every floating input's gradient (of the output
 * weighted by a fixed random projection) must agree within the float type's tolerance. The CPU
 * backend is the reference here: it is itself tested against double-precision references.
 */
final class CudaParity {
    static final double F32_ATOL = 1e-5;
    static final double F32_RTOL = 1e-4;
    static final double F64_ATOL = 1e-11;
    static final double F64_RTOL = 1e-9;

    private CudaParity() {}

    /** Forward and backward parity; integer inputs (indices, targets) pass unchanged. */
    static void check(String name, Function<Tensor[], Tensor> op, Tensor... inputs) {
        check(name, op, 1.0, inputs);
    }

    /** Same, with tolerances scaled (accumulations over many terms, TF32-free but reordered sums). */
    static void check(String name, Function<Tensor[], Tensor> op, double tolScale, Tensor... inputs) {
        Device gpu = GpuDevice.get();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor[] cpu = leaves(inputs, dtype, Device.CPU);
                Tensor[] dev = leaves(inputs, dtype, gpu);
                Tensor outCpu = op.apply(cpu);
                Tensor outGpu = op.apply(dev);
                assertEquals(gpu, outGpu.device(), name + ": output device");
                String what = name + " (" + dtype.pyName() + ")";
                assertClose(what + " forward", outCpu, outGpu, tolScale);
                if (!outCpu.requiresGrad()) {
                    continue;
                }
                Tensor w = Tensor.randn(new Generator(11), outCpu.shape().toArray()).to(outCpu.dtype());
                outCpu.mul(w).sum().backward();
                outGpu.mul(w.to(gpu)).sum().backward();
                for (int i = 0; i < inputs.length; i++) {
                    if (cpu[i].requiresGrad()) {
                        assertClose(what + " gradient of input " + i, cpu[i].grad(), dev[i].grad(), tolScale);
                    }
                }
            }
        }
    }

    /** Forward parity of an op that has no gradient (comparisons, indices, integer results), for each float type. */
    static void checkForward(String name, Function<Tensor[], Tensor> op, Tensor... inputs) {
        Device gpu = GpuDevice.get();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor[] cpu = Arrays.stream(inputs).map(t -> convert(t, dtype).to(Device.CPU)).toArray(Tensor[]::new);
                Tensor[] dev = Arrays.stream(inputs).map(t -> convert(t, dtype).to(gpu)).toArray(Tensor[]::new);
                assertClose(name + " (" + dtype.pyName() + ") forward", op.apply(cpu), op.apply(dev), 1.0);
            }
        }
    }

    private static Tensor convert(Tensor t, DType dtype) {
        return t.dtype().isFloatingPoint() ? t.to(dtype) : t.alias();
    }

    /** Fresh leaves on device: floating inputs in dtype with gradients, the rest as they are. */
    private static Tensor[] leaves(Tensor[] inputs, DType dtype, Device device) {
        Tensor[] r = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i].detach();
            if (t.dtype().isFloatingPoint()) {
                r[i] = t.to(dtype).to(device).detach().requiresGrad(true);
            } else {
                r[i] = t.to(device).detach();
            }
        }
        return r;
    }

    /**
     * Same shape and dtype; integer and bool values equal; float values within atol + rtol·|cpu|,
     * NaN where the CPU has NaN and the same infinities.
     */
    static void assertClose(String what, Tensor cpu, Tensor gpu, double tolScale) {
        if (cpu == null || gpu == null) {
            if (cpu != gpu) {
                fail(what + ": one backend has a gradient and the other none (cpu " + cpu + ", gpu " + gpu + ")");
            }
            return;
        }
        assertArrayEquals(cpu.shape().toArray(), gpu.shape().toArray(), what + ": shape");
        assertEquals(cpu.dtype(), gpu.dtype(), what + ": dtype");
        if (cpu.dtype().isIntegral()) {
            assertArrayEquals(cpu.toLongArray(), gpu.toLongArray(), what + ": values");
            return;
        }
        boolean f32 = cpu.dtype() == DType.FLOAT32;
        double atol = tolScale * (f32 ? F32_ATOL : F64_ATOL);
        double rtol = tolScale * (f32 ? F32_RTOL : F64_RTOL);
        double[] e = cpu.toDoubleArray();
        double[] a = gpu.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i]) || Double.isInfinite(e[i])) {
                if (Double.compare(e[i], a[i]) != 0) {
                    fail(what + ": at flat index " + i + " cpu " + e[i] + " but gpu " + a[i]);
                }
            } else if (!(Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]))) {
                fail(what + ": at flat index " + i + " cpu " + e[i] + " but gpu " + a[i] + " (|diff| " + Math.abs(e[i] - a[i])
                        + " > " + atol + " + " + rtol + "·|cpu|)");
            }
        }
    }

    /** Bit-for-bit equality (random fills, bit copies, index results). */
    static void assertSame(String what, Tensor cpu, Tensor gpu) {
        assertArrayEquals(cpu.shape().toArray(), gpu.shape().toArray(), what + ": shape");
        assertEquals(cpu.dtype(), gpu.dtype(), what + ": dtype");
        if (cpu.dtype().isIntegral()) {
            assertArrayEquals(cpu.toLongArray(), gpu.toLongArray(), what);
        } else {
            double[] e = cpu.toDoubleArray();
            double[] a = gpu.toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                if (Double.doubleToRawLongBits(e[i]) != Double.doubleToRawLongBits(a[i])) {
                    fail(what + ": at flat index " + i + " cpu " + e[i] + " but gpu " + a[i]);
                }
            }
        }
    }
}
