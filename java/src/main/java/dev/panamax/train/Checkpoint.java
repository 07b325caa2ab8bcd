package dev.panamax.train;

import dev.panamax.data.io.Safetensors;
import dev.panamax.nn.Module;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.OptimizerState;
import dev.panamax.optim.StateCodec;
import dev.panamax.optim.schedule.LRScheduler;
import dev.panamax.optim.schedule.SchedulerState;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to resume a run, in one safetensors file written atomically: the model's
 * state dict (keys {@code model.*}, loadable by Python's safetensors), the optimizer and
 * scheduler state, the epoch, the random generators' state and the epoch table so far.
 */
public final class Checkpoint {
    private static final String MODEL = "model.";
    private static final String OPTIM = "optim.";
    private static final String SCHED = "sched.";

    private Checkpoint() {}

    /** User metadata keys start with this, so they never clash with the checkpoint's own. */
    private static final String USER = "user.";

    /**
     * What a checkpoint restores besides the tensors it loads in place.
     *
     * @param metadata what the caller stored with {@code save} (e.g. input normalisation)
     */
    public record Resumed(int epoch, List<EpochStats> history, String modelName, Map<String, String> metadata) {}

    /**
     * @param metadata extra strings to keep with the weights (how inputs were normalised, ...)
     */
    public static void save(Path file, String modelName, Module model, Optimizer optimizer, LRScheduler scheduler, int epoch,
                            Generator generator, List<EpochStats> history, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        metadata.forEach((k, v) -> meta.put(USER + k, v));
        model.stateDict().forEach((k, t) -> tensors.put(MODEL + k, t));
        meta.put("format", "panamax-checkpoint-1");
        meta.put("model", modelName);
        meta.put("epoch", Integer.toString(epoch));
        long[] g = generator.state();
        meta.put("generator", g[0] + "," + g[1]);
        StringBuilder table = new StringBuilder(EpochStats.CSV_HEADER);
        history.forEach(h -> table.append('\n').append(h.csv()));
        meta.put("history", table.toString());
        try (OptimizerState os = optimizer == null ? null : optimizer.stateDict()) {
            if (os != null) {
                StateCodec.encode(os, OPTIM, tensors, meta);
            }
            if (scheduler != null) {
                StateCodec.encode(scheduler.stateDict(), SCHED, meta);
            }
            AtomicFiles.write(file, out -> Safetensors.write(out, tensors, meta));
        }
    }

    /** The model name recorded in a checkpoint (to rebuild the right architecture before loading). */
    public static String modelName(Path file) throws IOException {
        try (Safetensors.Contents c = Safetensors.read(file)) {
            return metadata(c, "model");
        }
    }

    /**
     * Loads weights into {@code model} and, when given, the optimizer, scheduler and generator
     * state; returns the epoch reached and the table so far.
     */
    public static Resumed load(Path file, Module model, Optimizer optimizer, LRScheduler scheduler, Generator generator) throws IOException {
        try (Safetensors.Contents c = Safetensors.read(file)) {
            Map<String, String> meta = c.metadata();
            if (!"panamax-checkpoint-1".equals(meta.get("format"))) {
                throw new IOException(file + " is not a Panamax checkpoint (no format panamax-checkpoint-1 in its metadata)");
            }
            if (optimizer != null && meta.keySet().stream().noneMatch(k -> k.startsWith(OPTIM))) {
                throw new IOException(file + " holds weights without optimizer state, as best.safetensors does: resume from last.safetensors");
            }
            Map<String, Tensor> weights = new LinkedHashMap<>();
            c.tensors().forEach((k, t) -> {
                if (k.startsWith(MODEL)) {
                    weights.put(k.substring(MODEL.length()), t);
                }
            });
            model.loadStateDict(weights, true);
            if (optimizer != null) {
                try (OptimizerState os = StateCodec.decodeOptimizer(OPTIM, c.tensors(), meta)) {
                    optimizer.loadStateDict(os);
                }
            }
            if (scheduler != null) {
                SchedulerState ss = StateCodec.decodeScheduler(SCHED, meta);
                scheduler.loadStateDict(ss);
            }
            if (generator != null) {
                String[] g = metadata(c, "generator").split(",");
                generator.setState(new long[] {Long.parseLong(g[0]), Long.parseLong(g[1])});
            }
            List<EpochStats> history = new ArrayList<>();
            String[] lines = metadata(c, "history").split("\n");
            for (int i = 1; i < lines.length; i++) {
                history.add(EpochStats.parseCsv(lines[i]));
            }
            return new Resumed(Integer.parseInt(metadata(c, "epoch")), history, metadata(c, "model"), userMetadata(meta));
        }
    }

    /** What the caller stored with {@code save}, without loading any tensor (to learn what model to rebuild). */
    public static Map<String, String> userMetadata(Path file) throws IOException {
        try (Safetensors.Contents c = Safetensors.read(file)) {
            return userMetadata(c.metadata());
        }
    }

    private static Map<String, String> userMetadata(Map<String, String> meta) {
        Map<String, String> user = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(USER)) {
                user.put(k.substring(USER.length()), v);
            }
        });
        return user;
    }

    private static String metadata(Safetensors.Contents c, String key) throws IOException {
        String v = c.metadata().get(key);
        if (v == null) {
            throw new IOException("checkpoint metadata has no '" + key + "'");
        }
        return v;
    }
}
