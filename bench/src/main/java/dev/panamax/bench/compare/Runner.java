package dev.panamax.bench.compare;

import dev.panamax.bench.worker.OutputFile;
import dev.panamax.bench.worker.Workload;
import dev.panamax.bench.worker.WorkerProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Times one workload at one thread count on every peer that supports it, one worker JVM after the other
 * (never two at once: they would share the cores), and compares each peer's results with the first peer's.
 */
final class Runner {
    private Runner() {}

    /**
     * {@code peers}: in column order, Panamax first; each with the workload ids it supports. With several rounds the
     * peers take turns, one worker JVM each per round, and each peer's result is the median of its rounds' medians; the
     * outputs compared are the first round's.
     */
    static ResultTable.Row measure(Workload workload, List<ProbedPeer> peers, int threads, Options options, Path scratch) {
        Map<String, List<Measurement>> rounds = new LinkedHashMap<>();
        Map<String, List<float[]>> outputs = new LinkedHashMap<>();
        Set<String> failed = new LinkedHashSet<>();
        double foreignLoad = 0;
        for (int round = 0; round < options.rounds(); round++) {
            for (ProbedPeer peer : peers) {
                if (!peer.supported().contains(workload.id()) || failed.contains(peer.name())) {
                    continue;
                }
                Path output = scratch.resolve(peer.launcher().workerPeer() + "-" + workload.id() + "-" + threads + ".f32");
                try {
                    WorkerProtocol.Reply reply = WorkerProcess.run(peer.launcher(), threads, WorkerProtocol.runArgs(
                            peer.launcher().workerPeer(), threads, workload, options.repetitions(), output));
                    rounds.computeIfAbsent(peer.name(), name -> new ArrayList<>()).add(new Measurement(reply.seconds(), workload.flops()));
                    if (!outputs.containsKey(peer.name())) {
                        outputs.put(peer.name(), OutputFile.read(output));
                    }
                    foreignLoad = Math.max(foreignLoad, reply.foreignLoad());
                } catch (WorkerProcess.Failure e) {
                    System.err.printf("%s on %s at %d threads failed: %s%n", peer.name(), workload.title(), threads, e.getMessage());
                    failed.add(peer.name());
                    rounds.remove(peer.name());
                    outputs.remove(peer.name());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    try {
                        Files.deleteIfExists(output);
                    } catch (IOException ignored) {
                        // scratch is deleted at exit anyway
                    }
                }
            }
        }
        Map<String, Measurement> results = new LinkedHashMap<>();
        rounds.forEach((name, measured) -> {
            results.put(name, Measurement.medianOfRounds(measured));
            if (measured.size() > 1) {
                System.err.printf("%s, %d threads, %s: median ms of each round %s%n", workload.title(), threads, name,
                        measured.stream().map(m -> String.format("%.3g", 1e3 * m.medianSeconds())).toList());
            }
        });
        return new ResultTable.Row(workload.title(), threads, results, failed, maxRelativeDifference(List.copyOf(outputs.values())),
                foreignLoad);
    }

    /** A launcher whose probe succeeded: its description and the ids of the workloads it supports. */
    record ProbedPeer(PeerLauncher launcher, String description, Set<String> supported) {
        String name() {
            return launcher.name();
        }
    }

    /**
     * The worst, over peers after the first and over the parts of a result (output, each gradient), of
     * max|part - reference part| / max|reference part|, the first peer's results being the reference.
     */
    static double maxRelativeDifference(List<List<float[]>> outputs) {
        if (outputs.size() < 2) {
            return Double.NaN;
        }
        List<float[]> reference = outputs.get(0);
        double worst = 0;
        for (List<float[]> other : outputs.subList(1, outputs.size())) {
            if (other.size() != reference.size()) {
                return Double.POSITIVE_INFINITY;
            }
            for (int p = 0; p < reference.size(); p++) {
                worst = Math.max(worst, relativeDifference(reference.get(p), other.get(p)));
            }
        }
        return worst;
    }

    private static double relativeDifference(float[] reference, float[] other) {
        if (reference.length != other.length) {
            return Double.POSITIVE_INFINITY;
        }
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < reference.length; i++) {
            scale = Math.max(scale, Math.abs(reference[i]));
            double diff = Math.abs((double) other[i] - reference[i]);
            worst = Math.max(worst, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
        }
        return scale == 0 ? worst : worst / scale;
    }
}
