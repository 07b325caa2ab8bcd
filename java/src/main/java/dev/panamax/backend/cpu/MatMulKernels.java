package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.backend.PreparedMatrix;
import dev.panamax.backend.cpu.gemm.Dgemm;
import dev.panamax.backend.cpu.gemm.PackedB;
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

    /** A right operand for {@link #matmulPrepared}: float32 ones packed once ({@code panels}), others as they are. */
    private record Prepared(Operand source, PackedB panels) implements PreparedMatrix {}

    /** The float32 panels of a matrix from {@link #prepareRight}, or null when it kept its source as it is. */
    static PackedB panels(PreparedMatrix b) {
        return b instanceof Prepared p ? p.panels() : null;
    }

    static PreparedMatrix prepareRight(Operand b) {
        if (b.dtype() != DType.FLOAT32) {
            return new Prepared(b, null);
        }
        long[] bs = b.strides();
        return new Prepared(b, Sgemm.packB((int) b.shape()[0], (int) b.shape()[1], CpuBackend.segment(b), b.offset(), bs[0], bs[1]));
    }

    /** out [M, N] = a [M, K] @ b (+ out with {@code accumulate}). */
    static void matmulPrepared(Operand a, PreparedMatrix b, Operand out, boolean accumulate) {
        int m = (int) out.shape()[0];
        long[] as = a.strides();
        long[] cs = out.strides();
        MemorySegment sa = CpuBackend.segment(a);
        MemorySegment sc = CpuBackend.segment(out);
        if (b instanceof Prepared p && p.panels() != null && out.dtype() == DType.FLOAT32) {
            Sgemm.sgemmPackedB(m, 1f, sa, a.offset(), as[0], as[1], p.panels(), accumulate ? 1f : 0f, sc, out.offset(), cs[0], cs[1]);
            return;
        }
        Operand w = b.source();
        int n = (int) out.shape()[1];
        int k = (int) a.shape()[1];
        long[] ws = w.strides();
        MemorySegment sw = CpuBackend.segment(w);
        if (out.dtype() == DType.FLOAT32) {
            Sgemm.sgemm(m, n, k, 1f, sa, a.offset(), as[0], as[1], sw, w.offset(), ws[0], ws[1], accumulate ? 1f : 0f,
                    sc, out.offset(), cs[0], cs[1]);
        } else {
            Dgemm.dgemm(m, n, k, 1.0, sa, a.offset(), as[0], as[1], sw, w.offset(), ws[0], ws[1], accumulate ? 1.0 : 0.0,
                    sc, out.offset(), cs[0], cs[1]);
        }
    }
}
