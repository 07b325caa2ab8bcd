package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.bindings.cublas.Cublas;
import dev.panamax.bindings.cudnn.Cudnn;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Status codes become exceptions that carry the library's names for them. */
class StatusNamesTest {
    @Test
    void everyCublasStatusHasItsName() {
        Map<Integer, String> t = StatusNames.CUBLAS;
        assertEquals(10, t.size(), t.toString());
        assertEquals("CUBLAS_STATUS_SUCCESS", t.get(Cublas.CUBLAS_STATUS_SUCCESS()));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", t.get(7));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", t.get(13));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", t.get(15));
    }

    @Test
    void cudnnNamesPreferTheCurrentNameToTheDeprecatedAlias() {
        Map<Integer, String> t = StatusNames.CUDNN;
        assertEquals("CUDNN_STATUS_BAD_PARAM", t.get(Cudnn.CUDNN_STATUS_BAD_PARAM()));
        assertEquals("CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED", t.get(4003), "not CUDNN_STATUS_ALLOC_FAILED");
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH", t.get(3007), "not CUDNN_STATUS_ARCH_MISMATCH");
        assertEquals("CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH", t.get(1002), "not CUDNN_STATUS_VERSION_MISMATCH");
        assertEquals("CUDNN_STATUS_INVALID_VALUE", t.get(2001), "a deprecated code with no other name keeps its own");
        for (var e : t.entrySet()) {
            assertTrue(e.getValue().startsWith("CUDNN_STATUS_"), e.toString());
        }
    }

    @Test
    void unknownCodesAreNamedByNumber() {
        assertEquals("cuDNN status 123456", StatusNames.name(StatusNames.CUDNN, "cuDNN", 123456));
    }

    @Test
    void messagesCarryFunctionNameCodeAndDescription() {
        CudaException e = Status.cudnnError("cudnnConvolutionForward", 2000);
        assertEquals("cudnnConvolutionForward", e.function());
        assertEquals(2000, e.status());
        assertEquals("CUDNN_STATUS_BAD_PARAM", e.statusName());
        assertTrue(e.getMessage().startsWith("cudnnConvolutionForward failed: CUDNN_STATUS_BAD_PARAM (2000)"), e.getMessage());

        CudaException b = Status.cublasError("cublasSgemmStridedBatched", 7);
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", b.statusName());
        assertTrue(b.getMessage().startsWith("cublasSgemmStridedBatched failed: CUBLAS_STATUS_INVALID_VALUE (7)"), b.getMessage());
    }

    @Test
    void cudaStatusesAreNamedByTheLibraryWhenLoadedElseByNumber() {
        CudaException r = Status.cudartError("cudaMallocAsync", 2);
        CudaException d = Status.driverError("cuLaunchKernel", 700);
        if (CudaProbe.loadedPath(CudaLibrary.RUNTIME).isPresent()) {
            assertEquals("cudaErrorMemoryAllocation", r.statusName());
            assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", d.statusName());
        } else {
            assertEquals("cudaError 2", r.statusName());
            assertEquals("CUresult 700", d.statusName());
        }
        assertTrue(r.getMessage().startsWith("cudaMallocAsync failed: " + r.statusName() + " (2)"), r.getMessage());
    }

    @Test
    void statusesThatAreNotErrorsThrowNothing() {
        Status.cudnn("anything", () -> 0);
        Status.cublas("anything", () -> 0);
    }
}
