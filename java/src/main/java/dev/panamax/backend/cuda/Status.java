package dev.panamax.backend.cuda;

import dev.panamax.bindings.cublas.Cublas;
import dev.panamax.bindings.cuda.CudaDriver;
import dev.panamax.bindings.cudart.CudaRuntime;
import dev.panamax.bindings.cudnn.Cudnn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Supplier;

/**
 * Calls into the CUDA libraries through the generated bindings, turning every non-zero status into
 * a {@link CudaException} with the library's own name and message, and a symbol the loaded
 * library lacks (an older version) into one that names the function and the library, at the
 * call that needs it (the bindings resolve each symbol when its function is first called).
 */
final class Status {
    /** A binding call that returns a status code. */
    @FunctionalInterface
    interface Call {
        int run();
    }

    private Status() {}

    static void cudart(String function, Call call) {
        int s = invoke(CudaLibrary.RUNTIME, function, call);
        if (s != 0) {
            throw cudartError(function, s);
        }
    }

    static void driver(String function, Call call) {
        int s = invoke(CudaLibrary.DRIVER, function, call);
        if (s != 0) {
            throw driverError(function, s);
        }
    }

    static void cublas(String function, Call call) {
        int s = invoke(CudaLibrary.BLAS, function, call);
        if (s != 0) {
            throw cublasError(function, s);
        }
    }

    static void cudnn(String function, Call call) {
        int s = invoke(CudaLibrary.DNN, function, call);
        if (s != 0) {
            throw cudnnError(function, s);
        }
    }

    /** A call that returns a value rather than a status. */
    static <T> T value(CudaLibrary library, String function, Supplier<T> call) {
        try {
            return call.get();
        } catch (LinkageError e) {
            throw missing(library, function, e);
        }
    }

    private static int invoke(CudaLibrary library, String function, Call call) {
        try {
            return call.run();
        } catch (LinkageError e) {
            throw missing(library, function, e);
        }
    }

    /** The bindings' holder class for the function failed to initialise: its symbol is not exported. */
    static CudaException missing(CudaLibrary library, String function, LinkageError e) {
        String where = CudaProbe.loadedPath(library).map(p -> "the loaded " + library.description() + " (" + p + ") does not export it:"
                + " that version predates it").orElse(library.description() + " is not loaded");
        return new CudaException(function, "cannot call " + function + ": " + where + " (" + rootMessage(e) + ")", e);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    static CudaException cudartError(String function, int status) {
        String name = describe(CudaLibrary.RUNTIME, () -> string(CudaRuntime.cudaGetErrorName(status)), "cudaError " + status);
        String text = describe(CudaLibrary.RUNTIME, () -> string(CudaRuntime.cudaGetErrorString(status)), "");
        return new CudaException(function, status, name, message(function, name, status, text, ""));
    }

    static CudaException driverError(String function, int status) {
        String name = describe(CudaLibrary.DRIVER, () -> driverString(status, true), "CUresult " + status);
        String text = describe(CudaLibrary.DRIVER, () -> driverString(status, false), "");
        return new CudaException(function, status, name, message(function, name, status, text, ""));
    }

    static CudaException cublasError(String function, int status) {
        String name = describe(CudaLibrary.BLAS, () -> string(Cublas.cublasGetStatusName(status)),
                StatusNames.name(StatusNames.CUBLAS, "cuBLAS", status));
        String text = describe(CudaLibrary.BLAS, () -> string(Cublas.cublasGetStatusString(status)), "");
        return new CudaException(function, status, name, message(function, name, status, text, ""));
    }

    static CudaException cudnnError(String function, int status) {
        String name = describe(CudaLibrary.DNN, () -> string(Cudnn.cudnnGetErrorString(status)),
                StatusNames.name(StatusNames.CUDNN, "cuDNN", status));
        String last = describe(CudaLibrary.DNN, Status::cudnnLastError, "");
        return new CudaException(function, status, name, message(function, name, status, "", last));
    }

    private static String message(String function, String name, int status, String text, String detail) {
        StringBuilder b = new StringBuilder(function).append(" failed: ").append(name).append(" (").append(status).append(')');
        if (!text.isEmpty() && !text.equals(name)) {
            b.append(": ").append(text);
        }
        if (!detail.isEmpty()) {
            b.append("; cuDNN says: ").append(detail);
        }
        return b.toString();
    }

    /**
     * The library's own words, or the fallback when it cannot be asked: not loaded (asking would
     * leave the binding's symbol unresolved for the rest of the JVM's life), or too old.
     */
    private static String describe(CudaLibrary library, Supplier<String> ask, String fallback) {
        if (CudaProbe.loadedPath(library).isEmpty()) {
            return fallback;
        }
        try {
            String s = ask.get();
            return s == null || s.isEmpty() ? fallback : s;
        } catch (LinkageError | RuntimeException e) {
            return fallback;
        }
    }

    private static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? null : cString.reinterpret(Integer.MAX_VALUE).getString(0);
    }

    private static String driverString(int status, boolean name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int s = name ? CudaDriver.cuGetErrorName(status, out) : CudaDriver.cuGetErrorString(status, out);
            return s == 0 ? string(out.get(ValueLayout.ADDRESS, 0)) : null;
        }
    }

    private static String cudnnLastError() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1024);
            Cudnn.cudnnGetLastErrorString(buf, buf.byteSize());
            return buf.getString(0).trim();
        }
    }
}
