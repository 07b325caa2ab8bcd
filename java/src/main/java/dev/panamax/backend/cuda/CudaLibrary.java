package dev.panamax.backend.cuda;

import java.util.Arrays;
import java.util.List;

/**
 * The NVIDIA libraries the CUDA backend loads, in load order (each after the ones it needs), with
 * the sonames each may have. cuBLAS must match the runtime's CUDA major version; the cuDNN
 * sublibraries are loaded up front so cuDNN's own dlopen finds them wherever cuDNN lives.
 */
enum CudaLibrary {
    DRIVER("the NVIDIA driver", true, "libcuda.so.1"),
    RUNTIME("the CUDA runtime", true, "libcudart.so.13", "libcudart.so.12"),
    BLAS_LT("cuBLASLt", true, "libcublasLt.so.13", "libcublasLt.so.12"),
    BLAS("cuBLAS", true, "libcublas.so.13", "libcublas.so.12"),
    DNN_GRAPH("cuDNN's graph sublibrary", true, "libcudnn_graph.so.9"),
    DNN_ENGINES("cuDNN's precompiled engines", true, "libcudnn_engines_precompiled.so.9"),
    DNN_RUNTIME_ENGINES("cuDNN's runtime-compiled engines", false, "libcudnn_engines_runtime_compiled.so.9"),
    DNN_HEURISTIC("cuDNN's heuristics", false, "libcudnn_heuristic.so.9"),
    DNN_OPS("cuDNN's ops sublibrary", true, "libcudnn_ops.so.9"),
    DNN_CNN("cuDNN's convolution sublibrary", true, "libcudnn_cnn.so.9"),
    DNN_ADV("cuDNN's RNN sublibrary", false, "libcudnn_adv.so.9"),
    DNN("cuDNN 9", true, "libcudnn.so.9");

    private final String description;
    private final boolean required;
    private final List<String> sonames;

    CudaLibrary(String description, boolean required, String... sonames) {
        this.description = description;
        this.required = required;
        this.sonames = Arrays.asList(sonames);
    }

    String description() {
        return description;
    }

    /**
     * False for the cuDNN parts it can do without: those cuDNN loads itself when it needs them, and
     * the RNN sublibrary, without which recurrent layers run layer by layer (CudnnRecurrence).
     */
    boolean required() {
        return required;
    }

    /** The accepted sonames, newest first; for cuBLAS only the one of the runtime's major version (0: any). */
    List<String> sonames(int cudaMajor) {
        if ((this == BLAS || this == BLAS_LT) && cudaMajor > 0) {
            return sonames.stream().filter(s -> s.endsWith(".so." + cudaMajor)).toList();
        }
        return sonames;
    }

    boolean isCudnn() {
        return name().startsWith("DNN");
    }
}
