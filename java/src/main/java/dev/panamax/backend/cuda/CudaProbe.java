package dev.panamax.backend.cuda;

import dev.panamax.bindings.cublas.Cublas;
import dev.panamax.bindings.cuda.CudaDriver;
import dev.panamax.bindings.cudart.CudaRuntime;
import dev.panamax.bindings.cudnn.Cudnn;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds, loads and checks the CUDA libraries (once per JVM, {@link #system()}), and says exactly
 * what is missing and where it looked when the CUDA backend cannot be used. Libraries are
 * {@code System.load}ed by absolute path before any binding is called; the bindings then resolve
 * their symbols through the class loader's lookup.
 */
final class CudaProbe {
    /** Compute capability the fatbin has cubins or PTX for (sm_80 and up). */
    static final int MIN_COMPUTE_CAPABILITY = 80;

    /**
     * What a probe found.
     *
     * @param reason      why the backend cannot be used; empty when it can
     * @param found       the libraries, versions and devices found, for {@code panamax info}
     * @param deviceCount GPUs visible (0 when unavailable)
     */
    record Result(String reason, String found, int deviceCount, KernelImage kernels) {
        boolean available() {
            return reason.isEmpty();
        }
    }

    private static final Map<CudaLibrary, Path> LOADED = new ConcurrentHashMap<>();
    private static Result system;

    private CudaProbe() {}

    /** This process's result: its environment's search, the kernels on its class path. */
    static synchronized Result system() {
        if (system == null) {
            system = probe(LibrarySearch.fromEnvironment(), KernelImage.fromClassPath());
        }
        return system;
    }

    /** Where a library was loaded from, if it was. */
    static Optional<Path> loadedPath(CudaLibrary library) {
        return Optional.ofNullable(LOADED.get(library));
    }

    /**
     * Locates every library; when all required ones and the kernels are there, loads them and checks
     * versions and devices. Loads nothing when something is missing.
     */
    static Result probe(LibrarySearch search, KernelImage kernels) {
        List<String> problems = new ArrayList<>();
        if (!kernels.present()) {
            problems.add(kernels.reason());
        }
        Map<CudaLibrary, Path> found = locate(search, problems);
        String foundText = describeFound(found);
        if (!problems.isEmpty()) {
            return new Result(String.join("; ", problems) + "; searched " + String.join(", ", search.describe())
                    + (found.isEmpty() ? "" : "; found " + foundText), foundText, 0, kernels);
        }
        try {
            load(found);
            return check(found, kernels);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return new Result(e.getMessage(), foundText, 0, kernels);
        }
    }

    private static Map<CudaLibrary, Path> locate(LibrarySearch search, List<String> problems) {
        Map<CudaLibrary, Path> found = new EnumMap<>(CudaLibrary.class);
        int cudaMajor = 0;
        for (CudaLibrary lib : CudaLibrary.values()) {
            // siblings are looked for next to the library they belong with first
            Path near = lib.isCudnn() && found.containsKey(CudaLibrary.DNN_GRAPH) ? found.get(CudaLibrary.DNN_GRAPH).getParent()
                    : lib == CudaLibrary.BLAS && found.containsKey(CudaLibrary.BLAS_LT) ? found.get(CudaLibrary.BLAS_LT).getParent() : null;
            List<String> names = lib.sonames(cudaMajor);
            Optional<Path> p = near == null ? search.find(names) : search.find(names, near);
            if (p.isPresent()) {
                found.put(lib, p.get());
                if (lib == CudaLibrary.RUNTIME) {
                    String file = p.get().getFileName().toString();
                    cudaMajor = Integer.parseInt(file.substring(file.lastIndexOf('.') + 1));
                }
            } else if (lib.required()) {
                problems.add(String.join(" or ", names) + " (" + lib.description() + ") not found");
            }
        }
        return found;
    }

    private static String describeFound(Map<CudaLibrary, Path> found) {
        List<String> r = new ArrayList<>();
        found.forEach((lib, p) -> r.add(p.toString()));
        return String.join(", ", r);
    }

    private static void load(Map<CudaLibrary, Path> found) {
        for (var e : found.entrySet()) {
            if (e.getValue().equals(LOADED.get(e.getKey()))) {
                continue;
            }
            try {
                System.load(e.getValue().toString());
                LOADED.put(e.getKey(), e.getValue());
            } catch (UnsatisfiedLinkError err) {
                if (e.getKey().required()) {
                    throw new IllegalStateException("cannot load " + e.getValue() + " (" + e.getKey().description() + "): " + err.getMessage(), err);
                }
            }
        }
    }

    /** Versions, their compatibility, and the devices, once the libraries are loaded. */
    private static Result check(Map<CudaLibrary, Path> found, KernelImage kernels) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocate(ValueLayout.JAVA_INT);
            Status.cudart("cudaRuntimeGetVersion", () -> CudaRuntime.cudaRuntimeGetVersion(i));
            int runtime = i.get(ValueLayout.JAVA_INT, 0);
            Status.driver("cuDriverGetVersion", () -> CudaDriver.cuDriverGetVersion(i));
            int driver = i.get(ValueLayout.JAVA_INT, 0);
            long dnn = Status.value(CudaLibrary.DNN, "cudnnGetVersion", Cudnn::cudnnGetVersion);
            int[] blas = new int[3];
            int[] properties = {Cublas.MAJOR_VERSION(), Cublas.MINOR_VERSION(), Cublas.PATCH_LEVEL()};
            for (int k = 0; k < 3; k++) {
                int property = properties[k];
                Status.cublas("cublasGetProperty", () -> Cublas.cublasGetProperty(property, i));
                blas[k] = i.get(ValueLayout.JAVA_INT, 0);
            }
            List<String> parts = new ArrayList<>();
            parts.add("CUDA runtime " + cudaVersion(runtime) + " (" + found.get(CudaLibrary.RUNTIME) + ")");
            parts.add("driver for CUDA " + cudaVersion(driver) + " (" + found.get(CudaLibrary.DRIVER) + ")");
            parts.add("cuBLAS " + blas[0] + "." + blas[1] + "." + blas[2] + " (" + found.get(CudaLibrary.BLAS) + ")");
            parts.add("cuDNN " + dnn / 10000 + "." + dnn % 10000 / 100 + "." + dnn % 100 + " (" + found.get(CudaLibrary.DNN) + ")");
            parts.add("bindings from headers of " + headerVersions());
            parts.add(kernels.describe());
            List<String> problems = new ArrayList<>();
            if (driver / 1000 < runtime / 1000) {
                problems.add("the NVIDIA driver supports CUDA up to " + cudaVersion(driver) + ", older than the CUDA runtime "
                        + cudaVersion(runtime) + " (update the driver, or use a CUDA " + driver / 1000 + " runtime)");
            }
            if (driver / 1000 < kernels.cudaMajor()) {
                problems.add("Panamax's kernels were compiled with CUDA " + kernels.cudaMajor() + " but the driver supports CUDA up to "
                        + cudaVersion(driver) + " (update the driver, or rebuild panamax-native with an older nvcc)");
            }
            if (dnn / 10000 != 9) {
                problems.add("cuDNN " + dnn + " found where cuDNN 9 is needed");
            }
            int count = problems.isEmpty() ? devices(arena, parts, problems) : 0;
            return new Result(String.join("; ", problems), String.join(", ", parts), problems.isEmpty() ? count : 0, kernels);
        }
    }

    /** Initialises the driver and lists the GPUs (returns how many); a missing or unusable GPU becomes a problem. */
    private static int devices(Arena arena, List<String> parts, List<String> problems) {
        try {
            Status.driver("cuInit", () -> CudaDriver.cuInit(0));
            int count = deviceCount(arena);
            if (count == 0) {
                problems.add("the CUDA runtime sees no GPU");
            }
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment name = arena.allocate(256);
            for (int d = 0; d < count; d++) {
                int dev = d;
                Status.driver("cuDeviceGet", () -> CudaDriver.cuDeviceGet(v, dev));
                int handle = v.get(ValueLayout.JAVA_INT, 0);
                Status.driver("cuDeviceGetName", () -> CudaDriver.cuDeviceGetName(name, 256, handle));
                Status.cudart("cudaDeviceGetAttribute", () -> CudaRuntime.cudaDeviceGetAttribute(v, CudaRuntime.cudaDevAttrComputeCapabilityMajor(), dev));
                int major = v.get(ValueLayout.JAVA_INT, 0);
                Status.cudart("cudaDeviceGetAttribute", () -> CudaRuntime.cudaDeviceGetAttribute(v, CudaRuntime.cudaDevAttrComputeCapabilityMinor(), dev));
                int minor = v.get(ValueLayout.JAVA_INT, 0);
                parts.add("GPU " + d + ": " + name.getString(0) + " (compute capability " + major + "." + minor + ")");
                if (d == 0 && major * 10 + minor < MIN_COMPUTE_CAPABILITY) {
                    problems.add("GPU 0 (" + name.getString(0) + ") has compute capability " + major + "." + minor
                            + "; Panamax's kernels need 8.0 or newer");
                }
            }
            return count;
        } catch (CudaException e) {
            problems.add(e.getMessage());
            return 0;
        }
    }

    private static int deviceCount(Arena arena) {
        MemorySegment n = arena.allocate(ValueLayout.JAVA_INT);
        Status.cudart("cudaGetDeviceCount", () -> CudaRuntime.cudaGetDeviceCount(n));
        return n.get(ValueLayout.JAVA_INT, 0);
    }

    /** 13000 as "13.0". */
    static String cudaVersion(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    /** The header versions the bindings jar records. */
    static String headerVersions() {
        Properties p = new Properties();
        try (InputStream in = CudaProbe.class.getClassLoader().getResourceAsStream("dev/panamax/bindings/headers.properties")) {
            if (in == null) {
                return "unknown versions";
            }
            p.load(in);
        } catch (IOException e) {
            return "unknown versions";
        }
        return "CUDA " + p.getProperty("cuda") + ", cuBLAS " + p.getProperty("cublas") + ", cuDNN " + p.getProperty("cudnn");
    }
}
