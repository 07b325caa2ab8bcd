package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.Panamax;
import dev.panamax.backend.Backends;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loading and fallback paths, which need no GPU: what is missing, where it was looked for, and the CPU carrying on. */
class CudaFallbackTest {
    @TempDir
    Path tmp;

    private static CudaProbe.Result probe(Map<String, String> env) {
        return CudaProbe.probe(new LibrarySearch(env, List.of()), KernelImage.fromClassPath());
    }

    @Test
    void anEmptyCudaHomeNamesEveryMissingLibraryAndEveryFolderSearched() {
        CudaProbe.Result r = probe(Map.of("CUDA_HOME", tmp.toString()));
        assertFalse(r.available());
        String why = r.reason();
        for (String soname : List.of("libcuda.so.1", "libcudart.so.13 or libcudart.so.12", "libcublas.so.13 or libcublas.so.12",
                "libcublasLt.so.13 or libcublasLt.so.12", "libcudnn.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9")) {
            assertTrue(why.contains(soname + " ("), "should name " + soname + ": " + why);
        }
        assertTrue(why.contains("the NVIDIA driver") && why.contains("cuDNN 9"), why);
        for (String sub : List.of("lib64", "lib", "targets/x86_64-linux/lib")) {
            assertTrue(why.contains(tmp.resolve(sub) + " ($CUDA_HOME)"), "should list " + sub + ": " + why);
        }
        assertFalse(why.contains("libcudnn_heuristic"), "optional parts are not reported missing: " + why);
        assertFalse(why.contains("libcudnn_adv"), "without cuDNN's RNN sublibrary recurrent layers run layer by layer: " + why);
        assertEquals(0, r.deviceCount());
    }

    @Test
    void cudnnPathAndLdLibraryPathAreSearchedInOrderAfterCudaHome() {
        LibrarySearch s = new LibrarySearch(Map.of("CUDA_HOME", "/opt/cuda", "CUDNN_PATH", "/opt/cudnn",
                "LD_LIBRARY_PATH", "/a:/b::/a"), List.of(Path.of("/usr/lib")));
        assertEquals(List.of("/opt/cuda/lib64 ($CUDA_HOME)", "/opt/cuda/lib ($CUDA_HOME)", "/opt/cuda/targets/x86_64-linux/lib ($CUDA_HOME)",
                "/opt/cudnn/lib ($CUDNN_PATH)", "/opt/cudnn/lib64 ($CUDNN_PATH)", "/opt/cudnn ($CUDNN_PATH)",
                "/a ($LD_LIBRARY_PATH)", "/b ($LD_LIBRARY_PATH)", "/usr/lib"), s.describe());
    }

    /** Files with the libraries' names that dlopen refuses: copies of an executable (a position-independent one cannot be loaded). */
    private void touch(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String n : names) {
            Files.copy(Path.of("/bin/true"), dir.resolve(n));
        }
    }

    @Test
    void cublasMustMatchTheRuntimesCudaMajorVersion() throws IOException {
        touch(tmp.resolve("lib64"), "libcuda.so.1", "libcudart.so.12", "libcublas.so.13", "libcublasLt.so.13");
        String why = probe(Map.of("CUDA_HOME", tmp.toString())).reason();
        assertTrue(why.contains("libcublas.so.12 (cuBLAS) not found"), why);
        assertTrue(why.contains("libcublasLt.so.12 (cuBLASLt) not found"), why);
        assertTrue(why.contains("found " + tmp.resolve("lib64/libcuda.so.1")), why);
    }

    @Test
    void aLibraryThatDoesNotLoadIsReportedWithTheLoadersMessage() throws IOException {
        touch(tmp.resolve("lib64"), "libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13");
        touch(tmp.resolve("cudnn/lib"), "libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9",
                "libcudnn_ops.so.9", "libcudnn_cnn.so.9");
        String why = probe(Map.of("CUDA_HOME", tmp.toString(), "CUDNN_PATH", tmp.resolve("cudnn").toString())).reason();
        assertTrue(why.startsWith("cannot load " + tmp.resolve("lib64/libcuda.so.1") + " (the NVIDIA driver): "), why);
        assertTrue(CudaProbe.loadedPath(CudaLibrary.DRIVER).map(p -> !p.startsWith(tmp)).orElse(true), "nothing of tmp was loaded");
    }

    @Test
    void missingKernelsAreAReasonToo() {
        KernelImage none = new KernelImage("panamax-native was built without nvcc", 0, "no kernels", getClass().getClassLoader());
        String why = CudaProbe.probe(new LibrarySearch(Map.of(), List.of()), none).reason();
        assertTrue(why.startsWith("panamax-native was built without nvcc; "), why);
    }

    @Test
    void withoutAUsableGpuTheBestDeviceIsTheCpuAndItSaysWhy() {
        String why = Device.whyNotCuda();
        assumeFalse(why.isEmpty(), "a GPU is usable here");
        assertEquals(Device.CPU, Device.best());
        assertFalse(Backends.isAvailable(Device.cuda(0)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.get(Device.cuda(0)));
        assertEquals("device cuda:0 is not available: " + why, e.getMessage());
        assertTrue(Panamax.info().get("backend cuda").equals("not available: " + why));
        try (Tensor x = Tensor.ones(3)) {
            IllegalStateException move = assertThrows(IllegalStateException.class, () -> x.to(Device.cuda(0)));
            assertTrue(move.getMessage().contains(why), move.getMessage());
            try (Tensor y = x.add(1); Tensor s = y.sum()) {
                assertEquals(6.0, s.item(), "the CPU keeps working");
            }
        }
    }

    @Test
    void aMissingGpuIndexIsNamed() {
        assumeTrue(CudaProbe.system().available(), "no usable GPU: " + CudaProbe.system().reason());
        assertTrue(CudaBackends.unavailableReason(99).startsWith("no CUDA device 99: "));
    }
}
