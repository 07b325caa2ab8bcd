package dev.panamax.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Times Panamax and its peers on the same inputs in one run and prints a table of median throughputs and
 * ratios. Run it through {@code bench/compare.sh}, which sets the JVM flags and allocator settings.
 */
public final class CompareMain {
    private CompareMain() {}

    /** Every case, in table order, with the family {@code --cases} selects it by. */
    private record CaseEntry(String family, Supplier<Case> create) {}

    private static List<CaseEntry> catalog() {
        return List.of(
                new CaseEntry("gemm", () -> new GemmCase(256, 1024, 1024)),
                new CaseEntry("gemm", () -> new GemmCase(1024, 1024, 1024)),
                new CaseEntry("gemm", () -> new GemmCase(2048, 2048, 2048)));
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.print((e.getMessage().isEmpty() ? "" : e.getMessage() + "\n") + Options.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        List<Peer> peers = new ArrayList<>(List.of(new PanamaxPeer()));
        OpenBlasPeer.load().ifPresent(peers::add);
        System.out.println(environment(options));
        peers.forEach(p -> System.out.println(p.description()));
        System.out.println();

        ResultTable table = new ResultTable(peers);
        for (CaseEntry entry : catalog()) {
            if (!options.wants(entry.family())) {
                continue;
            }
            try (Case c = entry.create().get()) {
                for (int threads : options.threads()) {
                    ResultTable.Row row = Runner.measure(c, peers, threads, options);
                    for (int retry = 0; retry < options.retries() && row.noisy(); retry++) {
                        System.err.printf("%s at %d threads: other processes used %.0f%% of the machine, measuring again%n",
                                c.name(), threads, 100 * row.foreignLoad());
                        row = Runner.measure(c, peers, threads, options);
                    }
                    table.add(row);
                }
            }
        }
        System.out.print(table.render());
        System.out.println();
        System.out.println("load average after: " + loadAverage());
    }

    private static String environment(Options options) {
        String allocator = String.join(" ", Stream.of("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
                .filter(v -> System.getenv(v) != null).map(v -> v + "=" + System.getenv(v)).toList());
        return String.join("\n",
                "date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                "cpu: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cpus",
                "allocator: " + (allocator.isEmpty() ? "glibc defaults" : allocator),
                String.format("timing: median of %d repetitions after %d warm-up runs (and >= %.1f s) per peer",
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
