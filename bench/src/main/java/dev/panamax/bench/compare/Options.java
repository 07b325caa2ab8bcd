package dev.panamax.bench.compare;

import dev.panamax.bench.worker.WorkerProtocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Command line of {@link CompareMain}. */
record Options(List<Integer> threads, List<String> families, List<String> matches, List<String> peers, int reps,
               int warmupReps, double warmupSeconds, int retries, int rounds) {
    static final String USAGE = """
            usage: [BENCH_PROFILES=djl,nd4j,ort] bench/compare.sh (or ./panamax bench) [--threads 1,2] [--cases gemm,conv]
                       [--match LSTM,GRU] [--peers panamax,djl] [--reps N] [--warmup N] [--warmup-seconds S] [--retries N]
                       [--rounds N]
              BENCH_PROFILES  the peers' Maven profiles to build first (default: those built before; see bench/README.md)
              PANAMAX_JVM_OPTS  extra JVM flags for Panamax's workers, e.g. -XX:UseAVX=2
              --threads   thread counts to run every case with (default 1,2)
              --cases     case families to run, comma-separated (default: all; families: gemm, conv, pool, norm, train, seq, det)
              --match     only the cases whose title contains one of these texts, comma-separated (case-sensitive)
              --peers     peers to time, comma-separated: openblas, djl, nd4j, ort (default: all that are built and load;
                          Panamax always runs)
              --reps      timed repetitions per peer (default 10, and more until they fill 1 s); the median is shown
              --warmup    untimed repetitions per peer before timing (default 3) ...
              --warmup-seconds  ... and at least this long per peer (default 5.0), so the JIT has compiled the kernels;
                          then on while the runs still get faster or the JIT still compiles (up to 30 s)
              --retries   times to measure a row again when other processes used over 5% of the machine (default 3)
              --rounds    worker JVMs per peer and row, the peers taking turns; the row shows each peer's median over its
                          JVMs' medians (default 1), so one JVM that comes out slow, or a slow minute of the machine,
                          does not decide a ratio
            """;

    static Options parse(String[] args) {
        List<Integer> threads = List.of(1, 2);
        List<String> families = List.of();
        List<String> matches = List.of();
        List<String> peers = List.of();
        int reps = 10;
        int warmup = 3;
        double warmupSeconds = 5.0;
        int retries = 3;
        int rounds = 1;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--threads" -> threads = parseInts(flag, value);
                case "--cases" -> families = Arrays.asList(value.split(","));
                case "--match" -> matches = Arrays.asList(value.split(","));
                case "--peers" -> peers = Arrays.asList(value.toLowerCase(Locale.ROOT).split(","));
                case "--reps" -> reps = positive(flag, value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(value);
                case "--retries" -> retries = Integer.parseInt(value);
                case "--rounds" -> rounds = positive(flag, value);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return new Options(threads, families, matches, peers, reps, warmup, warmupSeconds, retries, rounds);
    }

    /**
     * Refuses a family or peer name that selects nothing, naming the known ones: a misspelt name would
     * otherwise drop its rows or its column from the table without a word.
     */
    void requireKnown(Set<String> knownFamilies, Set<String> knownPeers) {
        requireKnown("--cases", families, knownFamilies);
        requireKnown("--peers", peers, knownPeers);
    }

    private static void requireKnown(String flag, List<String> given, Set<String> known) {
        List<String> unknown = given.stream().filter(g -> !known.contains(g)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(flag + ": unknown " + String.join(", ", unknown) + "; known: "
                    + String.join(", ", new TreeSet<>(known)));
        }
    }

    boolean wants(String family, String title) {
        return (families.isEmpty() || families.contains(family)) && (matches.isEmpty() || matches.stream().anyMatch(title::contains));
    }

    /** Panamax is the reference every other peer is compared with, so it always runs. */
    boolean wantsPeer(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return peers.isEmpty() || lower.equals("panamax") || peers.contains(lower);
    }

    WorkerProtocol.Repetitions repetitions() {
        return new WorkerProtocol.Repetitions(reps, warmupReps, warmupSeconds);
    }

    private static List<Integer> parseInts(String flag, String value) {
        List<Integer> list = new ArrayList<>();
        for (String s : value.split(",")) {
            list.add(positive(flag, s));
        }
        return list;
    }

    private static int positive(String flag, String value) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " needs positive integers, got '" + value + "'");
    }
}
