package dev.panamax.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The fatbin of Panamax's own CUDA kernels, a resource of the panamax-native jar, with what its
 * build wrote about it ({@code kernels.properties}): present with the CUDA version nvcc had, or
 * absent with the reason (no nvcc where the jar was built, or the jar missing from the class path).
 *
 * @param reason    why there are no kernels; empty when there are
 * @param cudaMajor the CUDA major version the kernels were compiled with (0 when absent)
 * @param describe  what was built, for messages
 */
record KernelImage(String reason, int cudaMajor, String describe, ClassLoader loader) {
    static final String FOLDER = "dev/panamax/native/";
    static final String FATBIN = FOLDER + "panamax.fatbin";
    static final String PROPERTIES = FOLDER + "kernels.properties";

    /** The kernels on the class path of this library. */
    static KernelImage fromClassPath() {
        return from(KernelImage.class.getClassLoader());
    }

    static KernelImage from(ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(PROPERTIES)) {
            if (in == null) {
                return absent("the panamax-native jar (" + PROPERTIES + ") is not on the class path, so there are no CUDA kernels", loader);
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROPERTIES, e);
        }
        if (!"present".equals(p.getProperty("kernels"))) {
            return absent(p.getProperty("reason", PROPERTIES + " says the kernels are absent"), loader);
        }
        if (loader.getResource(FATBIN) == null) {
            return absent(PROPERTIES + " lists kernels but " + FATBIN + " is not on the class path", loader);
        }
        String cuda = p.getProperty("cuda", "0");
        int major = Integer.parseInt(cuda.substring(0, cuda.indexOf('.') < 0 ? cuda.length() : cuda.indexOf('.')));
        return new KernelImage("", major, "kernels built with CUDA " + cuda + " for " + p.getProperty("archs", "?"), loader);
    }

    private static KernelImage absent(String reason, ClassLoader loader) {
        return new KernelImage(reason, 0, "no kernels", loader);
    }

    boolean present() {
        return reason.isEmpty();
    }

    /** The fatbin's bytes. */
    byte[] bytes() {
        try (InputStream in = loader.getResourceAsStream(FATBIN)) {
            if (in == null) {
                throw new IllegalStateException(FATBIN + " disappeared from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FATBIN, e);
        }
    }
}
