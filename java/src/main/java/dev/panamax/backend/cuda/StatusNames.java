package dev.panamax.backend.cuda;

import dev.panamax.bindings.cublas.Cublas;
import dev.panamax.bindings.cudnn.Cudnn;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;

/**
 * cuBLAS and cuDNN status names by code, read from the status constants the bindings were
 * generated with. Messages use the libraries' own name functions; these tables name a status
 * when those functions cannot be called (library not loaded, or too old to export them).
 */
final class StatusNames {
    static final Map<Integer, String> CUBLAS = table(Cublas.class, "CUBLAS_STATUS_");
    static final Map<Integer, String> CUDNN = table(Cudnn.class, "CUDNN_STATUS_");

    private StatusNames() {}

    /**
     * Every {@code prefix*} constant of a generated header class. Where names share a code (cuDNN
     * 9 keeps deprecated short aliases, e.g. CUDNN_STATUS_ALLOC_FAILED), the longer, current one wins.
     */
    static Map<Integer, String> table(Class<?> header, String prefix) {
        Map<Integer, String> names = new TreeMap<>();
        for (Method m : header.getMethods()) {
            if (m.getName().startsWith(prefix) && m.getParameterCount() == 0 && m.getReturnType() == int.class
                    && Modifier.isStatic(m.getModifiers())) {
                try {
                    names.merge((Integer) m.invoke(null), m.getName(), (a, b) -> a.length() >= b.length() ? a : b);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + header.getSimpleName() + "." + m.getName(), e);
                }
            }
        }
        return Map.copyOf(names);
    }

    static String name(Map<Integer, String> table, String library, int status) {
        return table.getOrDefault(status, library + " status " + status);
    }
}
