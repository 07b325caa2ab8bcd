package dev.panamax.nn;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.PoolOptions;
import dev.panamax.ops.ReceptiveField.Info;
import dev.panamax.ops.ReceptiveField.Layer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Receptive fields of a whole network ({@link dev.panamax.ops.ReceptiveField} for a module): the
 * convolution and pooling layers along the network's {@linkplain Module#receptivePath() longest
 * path}, up to the first layer that ends the spatial part (adaptive or global pooling, Flatten,
 * Linear), each reported with its output size, field, jump and start along one axis. Layers are
 * named by their dotted path in the module tree; "same" padding counts as (k' - 1) / 2 per side.
 */
public final class ReceptiveField {
    private ReceptiveField() {}

    /** Which spatial axis of 2-D layers to follow (1-D layers have only one). */
    public enum Axis { ROWS, COLUMNS }

    /** The report along the rows, for inputs of {@code inputSize} rows. */
    public static List<Info> of(Module network, long inputSize) {
        return of(network, inputSize, Axis.ROWS);
    }

    public static List<Info> of(Module network, long inputSize, Axis axis) {
        return dev.panamax.ops.ReceptiveField.of(layers(network, axis), inputSize);
    }

    /** The layers along the network's longest path, in order. */
    public static List<Layer> layers(Module network, Axis axis) {
        List<Layer> out = new ArrayList<>();
        walk(network, "", axis, out);
        return out;
    }

    /** Appends m's layers; returns false once a layer ends the spatial part. */
    private static boolean walk(Module m, String name, Axis axis, List<Layer> out) {
        boolean rows = axis == Axis.ROWS;
        switch (m) {
            case Conv2d c -> out.add(conv(name, rows ? c.kernelH() : c.kernelW(), c.options(), rows));
            case Conv1d c -> out.add(conv(name, c.kernel(), c.options(), false));
            case MaxPool2d p -> out.add(pool(name, p.options(), rows));
            case AvgPool2d p -> out.add(pool(name, p.options(), rows));
            case StochasticPool2d p -> out.add(pool(name, p.options(), rows));
            case ConvTranspose2d _ -> throw new IllegalArgumentException("ReceptiveField: " + name
                    + " is a transposed convolution (upsampling), which the receptive-field recurrences do not cover");
            case AdaptiveAvgPool2d _, AdaptiveMaxPool2d _, GlobalPool2d _, Flatten _, Linear _ -> {
                return false;
            }
            default -> {
                Map<Module, String> names = new IdentityHashMap<>();
                m.children().forEach((n, child) -> names.put(child, n));
                for (Module step : m.receptivePath()) {
                    String stepName = names.getOrDefault(step, "(" + step.typeName() + ")");
                    if (!walk(step, name.isEmpty() ? stepName : name + "." + stepName, axis, out)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * How far a chain of modules widens the receptive field, summed over both axes (for a block to
     * pick its longest path); the chain's layers must fit an input of 2^20 pixels.
     */
    public static long growth(List<Module> chain) {
        long total = 0;
        for (Axis axis : Axis.values()) {
            List<Layer> layers = new ArrayList<>();
            for (Module m : chain) {
                if (!walk(m, m.typeName(), axis, layers)) {
                    break;
                }
            }
            List<Info> infos = dev.panamax.ops.ReceptiveField.of(layers, 1 << 20);
            total += infos.isEmpty() ? 0 : infos.getLast().receptiveField() - 1;
        }
        return total;
    }

    private static Layer conv(String name, int kernel, ConvOptions o, boolean rows) {
        int dilation = rows ? o.dilationH() : o.dilationW();
        int padding = "same".equals(o.padMode()) ? dilation * (kernel - 1) / 2 : "valid".equals(o.padMode()) ? 0 : rows ? o.padH() : o.padW();
        return Layer.conv(name, kernel, rows ? o.strideH() : o.strideW(), padding, dilation);
    }

    private static Layer pool(String name, PoolOptions o, boolean rows) {
        return rows
                ? new Layer(name, o.kernelH(), o.strideH(), o.padH(), o.dilationH(), o.ceilMode())
                : new Layer(name, o.kernelW(), o.strideW(), o.padW(), o.dilationW(), o.ceilMode());
    }
}
