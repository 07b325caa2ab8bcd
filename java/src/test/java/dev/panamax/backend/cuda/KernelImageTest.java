package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fatbin resource of panamax-native: present with its CUDA version, or absent with the reason. */
class KernelImageTest {
    @TempDir
    Path tmp;

    private KernelImage from(String properties, boolean fatbin) throws IOException {
        Path dir = tmp.resolve(KernelImage.FOLDER);
        Files.createDirectories(dir);
        if (properties != null) {
            Files.writeString(dir.resolve("kernels.properties"), properties);
        }
        if (fatbin) {
            Files.write(dir.resolve("panamax.fatbin"), new byte[] {1, 2, 3});
        }
        return KernelImage.from(new URLClassLoader(new URL[] {tmp.toUri().toURL()}, null));
    }

    @Test
    void thisBuildsKernelsAreConsistent() {
        KernelImage k = KernelImage.fromClassPath();
        if (k.present()) {
            byte[] magic = Arrays.copyOf(k.bytes(), 4);
            assertArrayEquals(new byte[] {0x50, (byte) 0xED, 0x55, (byte) 0xBA}, magic, "a fatbin starts with 0xBA55ED50");
            assertTrue(k.cudaMajor() >= 12, k.describe());
        } else {
            assertTrue(k.reason().contains("nvcc") || k.reason().contains("panamax-native"), k.reason());
        }
    }

    @Test
    void builtWithoutNvccTheReasonComesFromTheBuild() throws IOException {
        KernelImage k = from("kernels=absent\nreason=panamax-native was built without nvcc (none on PATH)\n", false);
        assertFalse(k.present());
        assertEquals("panamax-native was built without nvcc (none on PATH)", k.reason());
    }

    @Test
    void withoutTheJarTheReasonSaysSo() throws IOException {
        KernelImage k = from(null, false);
        assertTrue(k.reason().startsWith("the panamax-native jar (dev/panamax/native/kernels.properties) is not on the class path"), k.reason());
    }

    @Test
    void aListedButMissingFatbinIsCaught() throws IOException {
        assertTrue(from("kernels=present\ncuda=13.0\n", false).reason().contains("panamax.fatbin is not on the class path"));
        KernelImage k = from("kernels=present\ncuda=13.0\narchs=sm_80\n", true);
        assertTrue(k.present());
        assertEquals(13, k.cudaMajor());
        assertArrayEquals(new byte[] {1, 2, 3}, k.bytes());
    }
}
