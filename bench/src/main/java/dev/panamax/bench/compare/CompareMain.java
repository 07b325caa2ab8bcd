package dev.panamax.bench.compare;

import dev.panamax.bench.worker.Workload;
import dev.panamax.bench.worker.WorkerProtocol;
import dev.panamax.bench.worker.Workloads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Times Panamax and its peers on the same inputs in one run and prints a table of median times and ratios.
 * Each peer runs in worker JVMs of its own (one per thread count and workload, see {@link PeerLauncher});
 * this process only starts them, one at a time, and compares what they computed. Run it through
 * {@code bench/compare.sh}, which builds what is needed and sets the allocator settings every worker inherits.
 */
public final class CompareMain {
    private CompareMain() {}

    public static void main(String[] args) throws IOException {
        Options options;
        List<PeerLaunchers.Candidate> candidates = PeerLaunchers.discover();
        try {
            options = Options.parse(args);
            options.requireKnown(Workloads.ALL.stream().map(Workload::family).collect(Collectors.toSet()),
                    candidates.stream().map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet()));
            if (Workloads.ALL.stream().noneMatch(w -> options.wants(w.family(), w.title()))) {
                throw new IllegalArgumentException("no case is in --cases and matches --match");
            }
        } catch (IllegalArgumentException e) {
            System.err.print((e.getMessage().isEmpty() ? "" : e.getMessage() + "\n") + Options.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        System.out.println(environment(options));
        List<Runner.ProbedPeer> peers = probe(options, candidates);
        System.out.println();
        if (peers.isEmpty() || !peers.get(0).name().equals("Panamax")) {
            System.err.println("Panamax's worker did not start; nothing to compare");
            System.exit(1);
        }

        Path scratch = Files.createTempDirectory("panamax-compare");
        ResultTable table = new ResultTable(peers.stream().map(Runner.ProbedPeer::name).toList());
        try {
            for (Workload workload : Workloads.ALL) {
                if (!options.wants(workload.family(), workload.title())) {
                    continue;
                }
                for (int threads : options.threads()) {
                    ResultTable.Row row = Runner.measure(workload, peers, threads, options, scratch);
                    for (int retry = 0; retry < options.retries() && row.noisy(); retry++) {
                        System.err.printf("%s at %d threads: other processes used %.0f%% of the machine, measuring again%n",
                                workload.title(), threads, 100 * row.foreignLoad());
                        row = Runner.measure(workload, peers, threads, options, scratch);
                    }
                    table.add(row);
                }
            }
        } finally {
            Files.deleteIfExists(scratch);
        }
        System.out.print(table.render());
        System.out.println();
        System.out.println("load average after: " + loadAverage());
    }

    /** Starts each selected peer's worker once to learn what it is and supports; prints one line per peer. */
    private static List<Runner.ProbedPeer> probe(Options options, List<PeerLaunchers.Candidate> candidates) {
        List<Runner.ProbedPeer> usable = new ArrayList<>();
        for (PeerLaunchers.Candidate candidate : candidates) {
            if (!options.wantsPeer(candidate.name())) {
                continue;
            }
            if (candidate.launcher().isEmpty()) {
                System.out.println(candidate.name() + ": unavailable: " + candidate.unavailableReason());
                continue;
            }
            PeerLauncher launcher = candidate.launcher().get();
            try {
                WorkerProtocol.Reply reply = WorkerProcess.run(launcher, 1, WorkerProtocol.probeArgs(launcher.workerPeer(), 1));
                System.out.println(reply.description());
                usable.add(new Runner.ProbedPeer(launcher, reply.description(), Set.copyOf(reply.supported())));
            } catch (WorkerProcess.Failure e) {
                System.out.println(candidate.name() + ": unavailable: " + e.getMessage());
            }
        }
        return usable;
    }

    private static String environment(Options options) {
        String allocator = String.join(" ", Stream.of("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
                .filter(v -> System.getenv(v) != null).map(v -> v + "=" + System.getenv(v)).toList());
        return String.join("\n",
                "date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                "cpu: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cpus",
                "allocator: " + (allocator.isEmpty() ? "glibc defaults" : allocator),
                String.format("timing: median of >= %d repetitions and >= 1 s after >= %d warm-up runs and >= %.1f s (then"
                        + " while still getting faster or compiling, up to 30 s) per peer, each in a JVM of its own",
                        options.reps(), options.warmupReps(), options.warmupSeconds()),
                "load average before: " + loadAverage());
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            List<String> info = lines.toList();
            String model = info.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
            String flags = info.stream().filter(l -> l.startsWith("flags")).findFirst().orElse("");
            return model + (flags.contains(" avx512f") ? " (AVX-512)" : flags.contains(" avx2") ? " (AVX2)" : "");
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
