package dev.panamax.bench.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the runner and a worker JVM say to each other. The runner starts a worker with {@link #probeArgs} (the
 * worker answers with its description and the workloads it supports) or {@link #runArgs} (it times one
 * workload and writes its results to an {@link OutputFile}). The worker answers on stdout in lines that start
 * with {@value #PREFIX}, so whatever a native library prints in between is ignored.
 */
public final class WorkerProtocol {
    static final String PREFIX = "@worker ";

    private WorkerProtocol() {}

    /** How the runner wants a workload timed: see {@link Timing#measure}. */
    public record Repetitions(int reps, int warmupReps, double warmupSeconds) {}

    public static List<String> probeArgs(String peer, int threads) {
        return List.of("--peer", peer, "--threads", Integer.toString(threads));
    }

    public static List<String> runArgs(String peer, int threads, Workload workload, Repetitions timing, Path output) {
        return List.of("--peer", peer, "--threads", Integer.toString(threads), "--workload", workload.id(),
                "--reps", Integer.toString(timing.reps()), "--warmup", Integer.toString(timing.warmupReps()),
                "--warmup-seconds", Double.toString(timing.warmupSeconds()), "--output", output.toString());
    }

    /** The worker's side of {@link #probeArgs} / {@link #runArgs}: {@code --name value} pairs. */
    static Map<String, String> parseArgs(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("worker arguments come in --name value pairs, got " + Arrays.toString(args));
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    static String peerLine(String description) {
        return PREFIX + "peer " + description.replace('\n', ' ');
    }

    static String supportsLine(Workload workload) {
        return PREFIX + "supports " + workload.id();
    }

    static String resultLine(Workload workload, Timing.Result result) {
        StringBuilder line = new StringBuilder(PREFIX + "result " + workload.id() + " "
                + String.format(Locale.ROOT, "%.4f", result.foreignLoad()));
        for (double s : result.seconds()) {
            line.append(' ').append(String.format(Locale.ROOT, "%.9f", s));
        }
        return line.toString();
    }

    /** What a worker said: its description, the workloads it supports (probe), the timed seconds and other load (run). */
    public record Reply(String description, List<String> supported, double[] seconds, double foreignLoad) {
        public static Reply parse(List<String> stdout) {
            String description = null;
            List<String> supported = new ArrayList<>();
            double[] seconds = null;
            double foreignLoad = Double.NaN;
            for (String line : stdout) {
                if (!line.startsWith(PREFIX)) {
                    continue;
                }
                String[] words = line.substring(PREFIX.length()).split(" ", 2);
                String rest = words.length > 1 ? words[1] : "";
                switch (words[0]) {
                    case "peer" -> description = rest;
                    case "supports" -> supported.add(rest);
                    case "result" -> {
                        String[] fields = rest.split(" ");
                        foreignLoad = Double.parseDouble(fields[1]);
                        seconds = Arrays.stream(fields, 2, fields.length).mapToDouble(Double::parseDouble).toArray();
                    }
                    default -> throw new IllegalArgumentException("unknown worker line: " + line);
                }
            }
            return new Reply(description, supported, seconds, foreignLoad);
        }
    }
}
