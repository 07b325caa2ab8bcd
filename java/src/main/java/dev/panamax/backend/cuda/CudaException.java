package dev.panamax.backend.cuda;

/**
 * A failed call into a CUDA library, with the library's own name for the status and its message
 * (cudaGetErrorName / cudaGetErrorString, cuGetErrorName, cublasGetStatusName, cudnnGetErrorString
 * with cudnnGetLastErrorString).
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int status;
    private final String statusName;

    CudaException(String function, int status, String statusName, String message) {
        super(message);
        this.function = function;
        this.status = status;
        this.statusName = statusName;
    }

    CudaException(String function, String message, Throwable cause) {
        super(message, cause);
        this.function = function;
        this.status = -1;
        this.statusName = "";
    }

    /** The library function that failed, e.g. {@code cudnnConvolutionForward}. */
    public String function() {
        return function;
    }

    /** Its status code (-1 when the function could not be called at all). */
    public int status() {
        return status;
    }

    /** The library's name for the status, e.g. {@code CUDNN_STATUS_BAD_PARAM}. */
    public String statusName() {
        return statusName;
    }
}
