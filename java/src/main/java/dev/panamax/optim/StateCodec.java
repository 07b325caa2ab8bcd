package dev.panamax.optim;

import dev.panamax.optim.schedule.SchedulerState;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Optimizer and scheduler state as flat maps — tensors by name, everything else as strings — so
 * a checkpoint can hold them in one safetensors file. Keys start with a caller-chosen prefix:
 * {@code optim.class}, {@code optim.group.0.lr}, {@code optim.group.0.shapes},
 * {@code optim.state.3.exp_avg} (tensor), {@code optim.state.3.step} (number), ...
 */
public final class StateCodec {
    private StateCodec() {}

    /** Adds the optimizer state to {@code tensors} (shared, not copied) and {@code meta}. */
    public static void encode(OptimizerState s, String prefix, Map<String, Tensor> tensors, Map<String, String> meta) {
        meta.put(prefix + "class", s.optimizer());
        meta.put(prefix + "groups", Integer.toString(s.paramGroups().size()));
        for (int g = 0; g < s.paramGroups().size(); g++) {
            OptimizerState.Group group = s.paramGroups().get(g);
            String gp = prefix + "group." + g + ".";
            group.options().forEach((k, v) -> meta.put(gp + k, Double.toString(v)));
            meta.put(gp + "shapes", String.join(";", group.paramShapes().stream()
                    .map(sh -> Arrays.toString(sh.toArray()).replaceAll("[\\[\\] ]", "")).toList()));
        }
        s.state().forEach((index, ps) -> {
            String sp = prefix + "state." + index + ".";
            ps.tensors().forEach((k, t) -> tensors.put(sp + k, t));
            ps.scalars().forEach((k, v) -> meta.put(sp + k, Double.toString(v)));
        });
    }

    /** Rebuilds an optimizer state from {@link #encode}'s maps (tensors are copied; close the result). */
    public static OptimizerState decodeOptimizer(String prefix, Map<String, Tensor> tensors, Map<String, String> meta) {
        String cls = required(meta, prefix + "class");
        int groupCount = Integer.parseInt(required(meta, prefix + "groups"));
        List<OptimizerState.Group> groups = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            String gp = prefix + "group." + g + ".";
            Map<String, Double> options = new LinkedHashMap<>();
            meta.forEach((k, v) -> {
                if (k.startsWith(gp) && !k.equals(gp + "shapes")) {
                    options.put(k.substring(gp.length()), Double.parseDouble(v));
                }
            });
            List<Shape> shapes = new ArrayList<>();
            String sh = required(meta, gp + "shapes");
            if (!sh.isEmpty()) {
                for (String one : sh.split(";", -1)) {
                    shapes.add(one.isEmpty() ? Shape.scalar() : Shape.of(Arrays.stream(one.split(",")).mapToLong(Long::parseLong).toArray()));
                }
            }
            groups.add(new OptimizerState.Group(options, shapes));
        }
        Map<Integer, ParamState> state = new TreeMap<>();
        String statePrefix = prefix + "state.";
        tensors.forEach((k, t) -> {
            if (k.startsWith(statePrefix)) {
                String[] parts = k.substring(statePrefix.length()).split("\\.", 2);
                state.computeIfAbsent(Integer.parseInt(parts[0]), i -> new ParamState()).put(parts[1], t.contiguousCopy());
            }
        });
        meta.forEach((k, v) -> {
            if (k.startsWith(statePrefix)) {
                String[] parts = k.substring(statePrefix.length()).split("\\.", 2);
                state.computeIfAbsent(Integer.parseInt(parts[0]), i -> new ParamState()).put(parts[1], Double.parseDouble(v));
            }
        });
        return new OptimizerState(cls, groups, state);
    }

    public static void encode(SchedulerState s, String prefix, Map<String, String> meta) {
        meta.put(prefix + "class", s.scheduler());
        s.values().forEach((k, v) -> meta.put(prefix + k, Double.toString(v)));
    }

    public static SchedulerState decodeScheduler(String prefix, Map<String, String> meta) {
        String cls = required(meta, prefix + "class");
        Map<String, Double> values = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.equals(prefix + "class")) {
                values.put(k.substring(prefix.length()), Double.parseDouble(v));
            }
        });
        return new SchedulerState(cls, values);
    }

    private static String required(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint metadata has no '" + key + "'");
        }
        return v;
    }
}
