package dev.panamax.backend.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the CUDA libraries are looked for, in order: {@code $CUDA_HOME} (and {@code $CUDA_PATH}),
 * {@code $CUDNN_PATH}, each {@code $LD_LIBRARY_PATH} entry, {@code /usr/local/cuda}, then the
 * system library folders. Each folder is kept with the reason it is searched, so a failure can
 * say exactly where it looked.
 */
final class LibrarySearch {
    /** The folders searched after the environment's: the default CUDA install and the system's. */
    static final List<Path> STANDARD_FOLDERS = List.of(
            Path.of("/usr/local/cuda/lib64"), Path.of("/usr/local/cuda/lib"), Path.of("/usr/local/cuda/targets/x86_64-linux/lib"),
            Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib64"), Path.of("/lib64"),
            Path.of("/usr/lib"), Path.of("/usr/lib/wsl/lib"));

    private final Map<Path, String> folders = new LinkedHashMap<>();

    /** The search this process's environment gives. */
    static LibrarySearch fromEnvironment() {
        return new LibrarySearch(System.getenv(), STANDARD_FOLDERS);
    }

    LibrarySearch(Map<String, String> env, List<Path> standardFolders) {
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(var);
            if (home != null && !home.isBlank()) {
                for (String sub : List.of("lib64", "lib", "targets/x86_64-linux/lib")) {
                    add(Path.of(home, sub), "$" + var);
                }
            }
        }
        String cudnn = env.get("CUDNN_PATH");
        if (cudnn != null && !cudnn.isBlank()) {
            for (String sub : List.of("lib", "lib64", "")) {
                add(Path.of(cudnn, sub), "$CUDNN_PATH");
            }
        }
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String entry : ld.split(":")) {
                if (!entry.isBlank()) {
                    add(Path.of(entry), "$LD_LIBRARY_PATH");
                }
            }
        }
        for (Path p : standardFolders) {
            add(p, "standard");
        }
    }

    private void add(Path folder, String why) {
        folders.putIfAbsent(folder.toAbsolutePath().normalize(), why);
    }

    /** The first file named one of {@code sonames}, trying each folder for every name in turn. */
    Optional<Path> find(List<String> sonames) {
        for (Path folder : folders.keySet()) {
            for (String name : sonames) {
                Path p = folder.resolve(name);
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** The same, looking first in {@code preferred} (where a library's siblings were found). */
    Optional<Path> find(List<String> sonames, Path preferred) {
        for (String name : sonames) {
            Path p = preferred.resolve(name);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return find(sonames);
    }

    /** "folder ($VAR)" for every folder searched, in order. */
    List<String> describe() {
        List<String> r = new ArrayList<>();
        folders.forEach((p, why) -> r.add(why.equals("standard") ? p.toString() : p + " (" + why + ")"));
        return r;
    }
}
