package dev.panamax.bench.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The body of every worker JVM: opens one peer at one thread count, then either lists what it supports or
 * times one workload and writes its results. Failures print their stack trace and exit with status 1; the
 * runner shows the reason.
 */
public final class WorkerMain {
    private WorkerMain() {}

    /** {@code peers}: the peers this worker's class path can open, by the name the runner uses. */
    public static void run(String[] args, Map<String, Peer.Factory> peers) {
        try {
            Map<String, String> options = WorkerProtocol.parseArgs(args);
            String name = required(options, "--peer");
            Peer.Factory factory = peers.get(name);
            if (factory == null) {
                throw new IllegalArgumentException("this worker knows the peers " + peers.keySet() + ", not " + name);
            }
            try (Peer peer = factory.open(Integer.parseInt(required(options, "--threads")))) {
                System.out.println(WorkerProtocol.peerLine(peer.description()));
                String id = options.get("--workload");
                if (id == null) {
                    Workloads.ALL.stream().filter(peer::supports).forEach(w -> System.out.println(WorkerProtocol.supportsLine(w)));
                } else {
                    time(peer, id, options);
                }
            }
            System.out.flush();
            System.exit(0); // native libraries may leave non-daemon threads behind
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void time(Peer peer, String id, Map<String, String> options) throws Exception {
        Workload workload = Workloads.byId(id).orElseThrow(() -> new IllegalArgumentException("no workload " + id));
        if (!peer.supports(workload)) {
            throw new IllegalArgumentException("this peer cannot do " + workload.title());
        }
        try (Task task = peer.prepare(workload)) {
            List<float[]> results = task.runAndRead();
            OutputFile.write(Path.of(required(options, "--output")), results);
            Timing.Result timed = Timing.measure(task, Math.min(workload.maxRepetitions(), Integer.parseInt(required(options, "--reps"))),
                    Integer.parseInt(required(options, "--warmup")), Double.parseDouble(required(options, "--warmup-seconds")));
            System.out.println(WorkerProtocol.resultLine(workload, timed));
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("worker: missing " + name);
        }
        return value;
    }
}
