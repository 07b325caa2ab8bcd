package dev.panamax.cuda;

import dev.panamax.backend.RandomKind;
import dev.panamax.ops.Regularization;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Philox on the GPU draws the CPU's numbers: same seed, same offset, same bits (normal fills up to log/cos rounding). */
@Tag("gpu")
class CudaRandomGpuTest {
    private static Tensor fill(Device device, RandomKind kind, double p0, double p1, DType dtype) {
        Tensor t = Tensor.empty(Shape.of(1001), dtype, device);
        return t.random_(new Generator(77), kind, p0, p1);
    }

    @Test
    void uniformIntegerAndBernoulliFillsAreBitIdentical() {
        Device gpu = GpuDevice.get();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
            for (RandomKind kind : new RandomKind[] {RandomKind.UNIFORM, RandomKind.INTEGER, RandomKind.BERNOULLI}) {
                double p0 = kind == RandomKind.BERNOULLI ? 0.3 : -5;
                try (Tensor c = fill(Device.CPU, kind, p0, 9, dtype); Tensor g = fill(gpu, kind, p0, 9, dtype)) {
                    CudaParity.assertSame(kind + " " + dtype.pyName(), c, g);
                }
            }
        }
    }

    @Test
    void normalFillsAgreeToTheLastBitsOfLogAndCos() {
        Device gpu = GpuDevice.get();
        try (Tensor c = fill(Device.CPU, RandomKind.NORMAL, 1, 2, DType.FLOAT64); Tensor g = fill(gpu, RandomKind.NORMAL, 1, 2, DType.FLOAT64)) {
            CudaParity.assertClose("normal float64", c, g, 1e-3);
        }
        try (Tensor c = fill(Device.CPU, RandomKind.NORMAL, 0, 1, DType.FLOAT32); Tensor g = fill(gpu, RandomKind.NORMAL, 0, 1, DType.FLOAT32)) {
            CudaParity.assertClose("normal float32", c, g, 1);
        }
    }

    @Test
    void dropoutMasksAreTheCpusMasks() {
        Device gpu = GpuDevice.get();
        try (Tensor x = Tensor.ones(64, 33); Tensor c = Regularization.dropout(x, 0.4, true, new Generator(3));
             Tensor xg = x.to(gpu); Tensor g = Regularization.dropout(xg, 0.4, true, new Generator(3))) {
            CudaParity.assertSame("dropout", c, g);
        }
        try (Tensor x = Tensor.ones(4, 6, 3, 3); Tensor c = Regularization.dropout2d(x, 0.5, true, new Generator(4));
             Tensor xg = x.to(gpu); Tensor g = Regularization.dropout2d(xg, 0.5, true, new Generator(4))) {
            CudaParity.assertSame("dropout2d", c, g);
        }
    }
}
