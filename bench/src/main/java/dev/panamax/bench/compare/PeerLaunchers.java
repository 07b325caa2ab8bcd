package dev.panamax.bench.compare;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peers this build can start. Panamax and OpenBLAS run from the bench jar itself; DJL, ND4J and ONNX Runtime
 * only when their Maven profile was built ({@code -Pdjl}, {@code -Pnd4j}, {@code -Port}), which compiles the peer into
 * {@code target/<peer>-classes} and writes its dependencies' class path to {@code target/peers/<peer>.classpath}.
 * Nothing is downloaded at run time.
 */
final class PeerLaunchers {
    /** A peer's launcher, or why it cannot be started. */
    record Candidate(String name, Optional<PeerLauncher> launcher, String unavailableReason) {
        static Candidate of(PeerLauncher launcher) {
            return new Candidate(launcher.name(), Optional.of(launcher), null);
        }

        static Candidate unavailable(String name, String reason) {
            return new Candidate(name, Optional.empty(), reason);
        }
    }

    private static final List<String> NATIVE_ACCESS = List.of("--enable-native-access=ALL-UNNAMED");
    private static final Pattern LIBTORCH_JAR = Pattern.compile("pytorch-native-cpu-([0-9.]+)-linux-x86_64\\.jar$");

    private PeerLaunchers() {}

    static List<Candidate> discover() {
        Path jar = ownClassPath();
        Path target = jar.getParent();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> panamaxFlags = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        String extra = System.getenv("PANAMAX_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            panamaxFlags.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        String inTree = PeerWorker.class.getName();
        return List.of(
                Candidate.of(new PeerLauncher("Panamax", "panamax", java, List.of(jar), inTree, panamaxFlags, t -> List.of(), Map.of())),
                Candidate.of(new PeerLauncher("OpenBLAS", "openblas", java, List.of(jar), inTree, NATIVE_ACCESS, t -> List.of(), Map.of())),
                djl(target, java, jar),
                nd4j(target, jar),
                ort(target, java, jar));
    }

    /** DJL on PyTorch's CPU build, offline, with its threads fixed through its system properties. */
    private static Candidate djl(Path target, Path java, Path jar) {
        Optional<String> missing = profileMissing(target, "djl");
        if (missing.isPresent()) {
            return Candidate.unavailable("DJL", missing.get());
        }
        List<Path> classpath = new ArrayList<>(List.of(target.resolve("djl-classes"), jar));
        classpath.addAll(dependencies(target, "djl"));
        String libtorch = classpath.stream().map(p -> LIBTORCH_JAR.matcher(p.getFileName().toString())).filter(Matcher::find)
                .map(m -> m.group(1)).findFirst().orElse(null);
        if (libtorch == null) {
            return Candidate.unavailable("DJL", "target/peers/djl.classpath names no pytorch-native-cpu jar: rebuild with -Pdjl");
        }
        return Candidate.of(new PeerLauncher("DJL", "djl", java, classpath, "dev.panamax.bench.djl.DjlWorker", NATIVE_ACCESS,
                t -> List.of("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + t, "-Dai.djl.pytorch.num_interop_threads=1"),
                Map.of("PYTORCH_VERSION", libtorch, "PYTORCH_FLAVOR", "cpu")));
    }

    /** ONNX Runtime's CPU kernels; its threads are set per session, its models sit in target/ort-classes. */
    private static Candidate ort(Path target, Path java, Path jar) {
        Optional<String> missing = profileMissing(target, "ort");
        if (missing.isPresent()) {
            return Candidate.unavailable("ORT", missing.get());
        }
        List<Path> classpath = new ArrayList<>(List.of(target.resolve("ort-classes"), jar));
        classpath.addAll(dependencies(target, "ort"));
        return Candidate.of(new PeerLauncher("ORT", "ort", java, classpath, "dev.panamax.bench.ort.OrtWorker", NATIVE_ACCESS,
                t -> List.of(), Map.of()));
    }

    /**
     * ND4J 1.0.0-M2.1 runs on a JDK 17, with a worker compiled for 17. The bench jar comes last on its class
     * path, for SLF4J only: the worker's own classes come first, from target/nd4j-classes.
     */
    private static Candidate nd4j(Path target, Path jar) {
        Optional<String> missing = profileMissing(target, "nd4j");
        if (missing.isPresent()) {
            return Candidate.unavailable("ND4J", missing.get());
        }
        Optional<Path> java17 = jdk17();
        if (java17.isEmpty()) {
            return Candidate.unavailable("ND4J", "no JDK 17 found (set JAVA17_HOME, or apt-get install openjdk-17-jdk-headless)");
        }
        List<Path> classpath = new ArrayList<>(List.of(target.resolve("nd4j-classes")));
        classpath.addAll(dependencies(target, "nd4j"));
        classpath.add(jar);
        return Candidate.of(new PeerLauncher("ND4J", "nd4j", java17.get(), classpath, "dev.panamax.bench.nd4j.Nd4jWorker",
                List.of(), t -> List.of(), Map.of()));
    }

    /** Why a profile's peer is not usable (not built, or a dependency gone from the local repository), if it is not. */
    private static Optional<String> profileMissing(Path target, String profile) {
        Path classes = target.resolve(profile + "-classes");
        Path classpathFile = target.resolve("peers").resolve(profile + ".classpath");
        if (!Files.isDirectory(classes) || !Files.isRegularFile(classpathFile)) {
            return Optional.of("not built: mvn -pl bench -am package -DskipTests -P" + profile + " (or BENCH_PROFILES=" + profile
                    + " bench/compare.sh)");
        }
        return dependencies(target, profile).stream().filter(p -> !Files.exists(p)).findFirst()
                .map(p -> "built, but its dependency " + p + " is gone: rebuild with -P" + profile);
    }

    private static List<Path> dependencies(Path target, String profile) {
        try {
            String line = Files.readString(target.resolve("peers").resolve(profile + ".classpath")).strip();
            return line.isEmpty() ? List.of() : Arrays.stream(line.split(java.io.File.pathSeparator)).map(Path::of).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<Path> jdk17() {
        String home = System.getenv("JAVA17_HOME");
        if (home != null) {
            return Optional.of(Path.of(home, "bin", "java")).filter(Files::isExecutable);
        }
        try (DirectoryStream<Path> jvms = Files.newDirectoryStream(Path.of("/usr/lib/jvm"), "*17*")) {
            for (Path jvm : jvms) {
                Path java = jvm.resolve("bin").resolve("java");
                if (Files.isExecutable(java)) {
                    return Optional.of(java);
                }
            }
        } catch (IOException noJvmDirectory) {
            // no JDK 17 there
        }
        return Optional.empty();
    }

    /** The bench jar (or classes directory) this runner was started from; the profiles' outputs sit beside it. */
    private static Path ownClassPath() {
        try {
            return Path.of(PeerLaunchers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the bench jar", e);
        }
    }
}
