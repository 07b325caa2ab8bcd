package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.bindings.cudnn.Cudnn;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * The generated bindings load without any NVIDIA library and fail only at the first call of a
 * function whose symbol is missing. Run in a class loader of their own, whose symbol lookup has
 * no library loaded whatever this JVM loaded elsewhere.
 */
class BindingsLoadTest {
    private static final List<String> HEADERS = List.of("dev.panamax.bindings.cudart.CudaRuntime", "dev.panamax.bindings.cuda.CudaDriver",
            "dev.panamax.bindings.cublas.Cublas", "dev.panamax.bindings.cudnn.Cudnn");

    private static URLClassLoader isolated() {
        URL bindings = Cudnn.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {bindings}, ClassLoader.getPlatformClassLoader());
    }

    @Test
    void everyHeaderClassInitialisesWithoutTheLibraries() throws Exception {
        try (URLClassLoader loader = isolated()) {
            for (String name : HEADERS) {
                Class<?> c = Class.forName(name, true, loader);
                assertEquals(loader, c.getClassLoader());
            }
            Method constant = Class.forName("dev.panamax.bindings.cudnn.Cudnn", true, loader).getMethod("CUDNN_STATUS_BAD_PARAM");
            assertEquals(2000, constant.invoke(null), "constants need no library");
        }
    }

    @Test
    void aMissingSymbolFailsAtItsFirstCallAndNamesTheSymbol() throws Exception {
        try (URLClassLoader loader = isolated()) {
            Method version = Class.forName("dev.panamax.bindings.cudnn.Cudnn", true, loader).getMethod("cudnnGetVersion");
            Throwable first = assertThrows(InvocationTargetException.class, () -> version.invoke(null)).getCause();
            assertInstanceOf(ExceptionInInitializerError.class, first);
            assertInstanceOf(NoSuchElementException.class, first.getCause());
            assertTrue(first.getCause().getMessage().contains("cudnnGetVersion"), first.getCause().getMessage());
            Throwable again = assertThrows(InvocationTargetException.class, () -> version.invoke(null)).getCause();
            assertInstanceOf(NoClassDefFoundError.class, again, "later calls keep failing, without a crash");

            CudaException e = assertThrows(CudaException.class, () -> Status.value(CudaLibrary.DNN, "cudnnGetVersion", () -> {
                try {
                    return version.invoke(null);
                } catch (InvocationTargetException ite) {
                    throw (Error) ite.getCause();
                } catch (IllegalAccessException iae) {
                    throw new AssertionError(iae);
                }
            }));
            assertEquals("cudnnGetVersion", e.function());
            assertTrue(e.getMessage().startsWith("cannot call cudnnGetVersion: "), e.getMessage());
            assertTrue(e.getMessage().contains("cuDNN 9"), e.getMessage());
        }
    }
}
