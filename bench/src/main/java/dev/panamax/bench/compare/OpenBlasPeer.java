package dev.panamax.bench.compare;

import dev.panamax.bench.worker.GemmWork;
import dev.panamax.bench.worker.Peer;
import dev.panamax.bench.worker.Task;
import dev.panamax.bench.worker.Workload;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * OpenBLAS's {@code cblas_sgemm}, called through FFM from the system library (Debian's
 * libopenblas0-pthread). A benchmark peer only: nothing in the library depends on it.
 */
@SuppressWarnings("restricted") // downcalls into OpenBLAS are the point of this class
final class OpenBlasPeer implements Peer {
    static final String INSTALL_HINT = "install it with: apt-get install libopenblas0-pthread";
    private static final String[] CANDIDATES = {
        "libopenblas.so.0", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
    };
    private static final int CBLAS_ROW_MAJOR = 101;
    private static final int CBLAS_NO_TRANS = 111;

    private final String library;
    private final MethodHandle sgemm;
    private final MethodHandle setNumThreads;
    private final String coreName;
    private final String config;

    private OpenBlasPeer(String library, SymbolLookup lookup) throws Throwable {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        ValueLayout i32 = ValueLayout.JAVA_INT;
        ValueLayout f32 = ValueLayout.JAVA_FLOAT;
        ValueLayout ptr = ValueLayout.ADDRESS;
        sgemm = linker.downcallHandle(lookup.findOrThrow("cblas_sgemm"), FunctionDescriptor.ofVoid(
                i32, i32, i32, i32, i32, i32, f32, ptr, i32, ptr, i32, f32, ptr, i32));
        setNumThreads = linker.downcallHandle(lookup.findOrThrow("openblas_set_num_threads"), FunctionDescriptor.ofVoid(i32));
        MethodHandle corename = linker.downcallHandle(lookup.findOrThrow("openblas_get_corename"), FunctionDescriptor.of(ptr));
        MethodHandle getConfig = linker.downcallHandle(lookup.findOrThrow("openblas_get_config"), FunctionDescriptor.of(ptr));
        coreName = cString((MemorySegment) corename.invokeExact());
        config = cString((MemorySegment) getConfig.invokeExact());
    }

    /** The system OpenBLAS set to {@code threads} threads; fails with the reason when it cannot be loaded. */
    static OpenBlasPeer open(int threads) throws Throwable {
        for (String candidate : CANDIDATES) {
            if (candidate.startsWith("/") && !Files.exists(Path.of(candidate))) {
                continue;
            }
            SymbolLookup lookup;
            try {
                lookup = candidate.startsWith("/")
                        ? SymbolLookup.libraryLookup(Path.of(candidate), Arena.global())
                        : SymbolLookup.libraryLookup(candidate, Arena.global());
            } catch (IllegalArgumentException notFound) {
                continue;
            }
            OpenBlasPeer peer = new OpenBlasPeer(candidate, lookup);
            peer.setNumThreads.invokeExact(threads);
            return peer;
        }
        throw new IllegalStateException("OpenBLAS not found (looked for " + String.join(", ", CANDIDATES) + "); " + INSTALL_HINT);
    }

    @Override
    public String description() {
        return "OpenBLAS: " + library + ", kernel " + coreName + " (" + config.trim() + ")"
                + (System.getenv("OPENBLAS_CORETYPE") == null ? "" : ", OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE"));
    }

    @Override
    public boolean supports(Workload workload) {
        return workload instanceof GemmWork;
    }

    @Override
    public Task prepare(Workload workload) {
        return new GemmTask((GemmWork) workload, (m, n, k, a, b, c) -> {
            try {
                sgemm.invokeExact(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, m, n, k, 1f, a, k, b, n, 0f, c, n);
            } catch (Throwable t) {
                throw new IllegalStateException("cblas_sgemm failed", t);
            }
        });
    }

    private static String cString(MemorySegment pointer) {
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
