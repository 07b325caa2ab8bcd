package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Storage;
import dev.panamax.bindings.cublas.Cublas;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Batched matrix products on cuBLAS's strided batched GEMMs. cuBLAS is column-major; a row-major
 * C = A·B is computed as the column-major Cᵀ = Bᵀ·Aᵀ, which reads the row-major buffers as they
 * are. A transposed operand becomes cuBLAS's op T; one with neither dim of unit stride is copied
 * dense first. TF32 tensor cores are used only when {@link CudaOptions#allowTf32()}.
 */
final class BlasMatMul {
    private final CudaContext ctx;
    private final MemorySegment oneF;
    private final MemorySegment zeroF;
    private final MemorySegment oneD;
    private final MemorySegment zeroD;

    BlasMatMul(CudaContext ctx) {
        this.ctx = ctx;
        Arena arena = Arena.ofAuto();
        oneF = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        zeroF = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
        oneD = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1.0);
        zeroD = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 0.0);
    }

    /**
     * How cuBLAS sees a logical column-major matrix of {@code rows × cols} whose element (i, j) is
     * at i·rowStride + j·colStride: as stored (op N, ld = colStride) or as the transpose of a
     * stored one (op T, ld = rowStride). Null when it is neither.
     */
    record View(boolean transposed, int ld) {
        static View of(long rows, long cols, long rowStride, long colStride) {
            if (rowStride == 1 || rows == 1) {
                long ld = cols == 1 ? Math.max(1, rows) : colStride;
                if (ld >= Math.max(1, rows) && ld <= Integer.MAX_VALUE) {
                    return new View(false, (int) ld);
                }
            }
            if (colStride == 1 || cols == 1) {
                long ld = rows == 1 ? Math.max(1, cols) : rowStride;
                if (ld >= Math.max(1, cols) && ld <= Integer.MAX_VALUE) {
                    return new View(true, (int) ld);
                }
            }
            return null;
        }
    }

    /** out[b] = a[b] @ b[b]: a [B, M, K], b [B, K, N], out [B, M, N]; batch strides may be 0. */
    void matmul(Operand a, Operand b, Operand out, CudaBackend backend) {
        matmul(a, b, out, false, backend);
    }

    /** The same, or out[b] += a[b] @ b[b] with {@code accumulate} (cuBLAS's beta = 1). */
    void matmul(Operand a, Operand b, Operand out, boolean accumulate, CudaBackend backend) {
        long batch = out.shape()[0];
        long m = out.shape()[1];
        long n = out.shape()[2];
        long k = a.shape()[2];
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                backend.fill(out, 0);
            }
            return;
        }
        if (!out.isContiguous()) {
            Storage tmp = backend.allocate(out.dtype(), out.numel());
            try {
                Operand dense = new Operand(tmp, out.dtype(), out.shape(), Shape.of(out.shape()).contiguousStrides(), 0);
                if (accumulate) {
                    backend.copy(out, dense);
                }
                matmul(a, b, dense, accumulate, backend);
                backend.copy(dense, out);
            } finally {
                tmp.release();
            }
            return;
        }
        // column-major: Cᵀ (n × m, ld n) = Bᵀ (n × k) · Aᵀ (k × m); Bᵀ's element (j, p) is b[p][j]
        View bv = View.of(n, k, b.strides()[2], b.strides()[1]);
        View av = View.of(k, m, a.strides()[2], a.strides()[1]);
        if (bv == null || av == null) {
            Storage[] copies = new Storage[2];
            try {
                Operand ad = av == null ? dense(a, backend, copies, 0) : a;
                Operand bd = bv == null ? dense(b, backend, copies, 1) : b;
                matmul(ad, bd, out, accumulate, backend);
            } finally {
                for (Storage s : copies) {
                    if (s != null) {
                        s.release();
                    }
                }
            }
            return;
        }
        gemm(a, b, out, av, bv, (int) batch, (int) m, (int) n, (int) k, accumulate);
    }

    private static Operand dense(Operand x, CudaBackend backend, Storage[] keep, int slot) {
        keep[slot] = backend.allocate(x.dtype(), x.numel());
        Operand d = new Operand(keep[slot], x.dtype(), x.shape(), Shape.of(x.shape()).contiguousStrides(), 0);
        backend.copy(x, d);
        return d;
    }

    private void gemm(Operand a, Operand b, Operand out, View av, View bv, int batch, int m, int n, int k, boolean accumulate) {
        boolean f32 = out.dtype() == DType.FLOAT32;
        int opB = bv.transposed() ? Cublas.CUBLAS_OP_T() : Cublas.CUBLAS_OP_N();
        int opA = av.transposed() ? Cublas.CUBLAS_OP_T() : Cublas.CUBLAS_OP_N();
        MemorySegment pa = MemorySegment.ofAddress(CudaStorage.address(a));
        MemorySegment pb = MemorySegment.ofAddress(CudaStorage.address(b));
        MemorySegment pc = MemorySegment.ofAddress(CudaStorage.address(out));
        long strideA = a.strides()[0];
        long strideB = b.strides()[0];
        long strideC = (long) m * n;
        MemorySegment handle = ctx.cublas();
        synchronized (ctx.libraryLock) {
            int math = f32 && CudaOptions.allowTf32() ? Cublas.CUBLAS_TF32_TENSOR_OP_MATH() : Cublas.CUBLAS_DEFAULT_MATH();
            Status.cublas("cublasSetMathMode", () -> Cublas.cublasSetMathMode(handle, math));
            if (f32) {
                Status.cublas("cublasSgemmStridedBatched", () -> Cublas.cublasSgemmStridedBatched(handle, opB, opA, n, m, k,
                        oneF, pb, bv.ld(), strideB, pa, av.ld(), strideA, accumulate ? oneF : zeroF, pc, n, strideC, batch));
            } else {
                Status.cublas("cublasDgemmStridedBatched", () -> Cublas.cublasDgemmStridedBatched(handle, opB, opA, n, m, k,
                        oneD, pb, bv.ld(), strideB, pa, av.ld(), strideA, accumulate ? oneD : zeroD, pc, n, strideC, batch));
            }
        }
    }
}
