package dev.panamax.bench.compare;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * How to start one peer's worker JVM at a given thread count: which java, class path, main class, JVM flags
 * and environment. Every library reads its thread count once per process (OpenMP, DJL's
 * {@code num_threads}), so each (peer, thread count, workload) gets a JVM of its own; that also keeps one
 * peer's allocation history and spinning threads away from the next.
 *
 * @param name        column title, e.g. {@code DJL}
 * @param workerPeer  the peer's name on the worker's command line
 * @param threadFlags JVM flags that fix the thread count, where the library takes it from system properties
 */
record PeerLauncher(String name, String workerPeer, Path java, List<Path> classpath, String mainClass, List<String> jvmFlags,
                    IntFunction<List<String>> threadFlags, Map<String, String> environment) {

    ProcessBuilder process(int threads, List<String> workerArgs) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmFlags);
        command.addAll(threadFlags.apply(threads));
        command.add("-cp");
        command.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(mainClass);
        command.addAll(workerArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        // Every threading runtime a peer may link gets the same count (OpenMP, OpenBLAS, MKL).
        for (String variable : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) {
            builder.environment().put(variable, Integer.toString(threads));
        }
        return builder;
    }
}
