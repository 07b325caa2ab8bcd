package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.detection.BoxCoder;
import dev.panamax.ops.BoxOps;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.ScopePerTest;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** NMS (native/src/nms.cu) and the composed box ops on CUDA against the CPU: the kept indices must be identical. */
@Tag("gpu")
@ExtendWith(ScopePerTest.class)
class CudaBoxOpsGpuTest {
    private final Generator gen = new Generator(77);

    /** n float32 boxes with corners in [0, spread) and sides in [1, 41). */
    private Tensor boxes(int n, double spread) {
        try (Scope s = Scope.open()) {
            Tensor u = Tensor.rand(gen, n, 4);
            Tensor corner = u.narrow(1, 0, 2).mul(spread);
            return s.keep(Tensor.cat(List.of(corner, corner.add(u.narrow(1, 2, 2).mul(40).add(1))), 1));
        }
    }

    private static void assertSameKept(String what, Tensor cpu, Tensor gpu) {
        assertEquals(DType.INT64, gpu.dtype(), what);
        assertArrayEquals(cpu.toLongArray(), gpu.toLongArray(), what);
    }

    @Test
    void nmsKeepsTheCpuIndicesAroundEveryBlockEdge() {
        Device gpu = GpuDevice.get();
        try (Scope s = Scope.open()) {
            for (int n : new int[] {0, 1, 63, 64, 65, 129, 1000, 5000}) {
                for (double spread : new double[] {30, 1000}) {
                    Tensor b = boxes(n, spread);
                    // quantised scores: many ties, visited by index on both devices
                    Tensor scores = Tensor.randint(gen, 0, 50, n).to(DType.FLOAT32);
                    for (double t : new double[] {0, 0.3, 0.5, 0.9, 1}) {
                        String what = "nms of " + n + " boxes, spread " + spread + ", threshold " + t;
                        Tensor kept = BoxOps.nms(b.to(gpu), scores.to(gpu), t);
                        assertEquals(gpu, kept.device(), what);
                        assertSameKept(what, BoxOps.nms(b, scores, t), kept);
                    }
                }
            }
        }
    }

    @Test
    void batchedNmsKeepsTheCpuIndices() {
        Device gpu = GpuDevice.get();
        try (Scope s = Scope.open()) {
            Tensor b = boxes(3000, 200);
            Tensor scores = Tensor.rand(gen, 3000);
            Tensor idxs = Tensor.randint(gen, 0, 20, 3000);
            assertSameKept("batchedNms", BoxOps.batchedNms(b, scores, idxs, 0.5), BoxOps.batchedNms(b.to(gpu), scores.to(gpu), idxs.to(gpu), 0.5));
        }
    }

    @Test
    void iouAndBoxCoderMatchTheCpuWithGradients() {
        Tensor a = boxes(17, 60);
        Tensor b = boxes(9, 60);
        CudaParity.check("boxIou", t -> BoxOps.boxIou(t[0], t[1]), a, b);
        BoxCoder coder = new BoxCoder(10, 10, 5, 5);
        CudaParity.check("BoxCoder.decode", t -> coder.decode(t[0], t[1]), Tensor.randn(gen, 17, 8), a);
        CudaParity.check("BoxCoder.encode", t -> coder.encode(t[0], t[1]), b, boxes(9, 60));
    }
}
