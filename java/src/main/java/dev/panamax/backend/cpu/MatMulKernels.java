package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.backend.cpu.gemm.Dgemm;
import dev.panamax.backend.cpu.gemm.Sgemm;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/** Batched matrix products on the general-stride GEMMs: any transposition or view, no copies. */
final class MatMulKernels {
    private MatMulKernels() {}

    static void matmul(Operand a, Operand b, Operand out) {
        int batch = (int) out.shape()[0];
        int m = (int) out.shape()[1];
        int n = (int) out.shape()[2];
        int k = (int) a.shape()[2];
        long[] as = a.strides();
        long[] bs = b.strides();
        long[] cs = out.strides();
        MemorySegment sa = CpuBackend.segment(a);
        MemorySegment sb = CpuBackend.segment(b);
        MemorySegment sc = CpuBackend.segment(out);
        if (out.dtype() == DType.FLOAT32) {
            Sgemm.sgemmBatched(batch, m, n, k, 1f,
                    sa, a.offset(), as[1], as[2], as[0],
                    sb, b.offset(), bs[1], bs[2], bs[0],
                    0f, sc, out.offset(), cs[1], cs[2], cs[0]);
            return;
        }
        for (int i = 0; i < batch; i++) {
            Dgemm.dgemm(m, n, k, 1.0,
                    sa, a.offset() + i * as[0], as[1], as[2],
                    sb, b.offset() + i * bs[0], bs[1], bs[2],
                    0.0, sc, out.offset() + i * cs[0], cs[1], cs[2]);
        }
    }
}
