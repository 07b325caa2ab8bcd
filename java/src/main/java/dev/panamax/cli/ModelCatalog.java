package dev.panamax.cli;

import dev.panamax.models.LeNet5;
import dev.panamax.models.LogisticRegression;
import dev.panamax.nn.Flatten;
import dev.panamax.nn.Sequential;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Generator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models the command line can train by name on single-channel 28×28 images (the bigger zoo needs 32×32 and up). */
final class ModelCatalog {
    /** Builds a model for the given classes and input geometry. */
    @FunctionalInterface
    interface Factory {
        Module create(int numClasses, int inChannels, int inputSize, Generator gen);
    }

    private static final Map<String, Factory> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("lenet5", LeNet5::new);
        MODELS.put("logistic", (classes, channels, size, gen) ->
                new Sequential(new Flatten(), new LogisticRegression((long) channels * size * size, classes, gen)));
    }

    private ModelCatalog() {}

    static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    static Module create(String name, int numClasses, int inChannels, int inputSize, Generator gen) {
        Factory f = MODELS.get(name);
        if (f == null) {
            throw new Args.UsageException("unknown model '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return f.create(numClasses, inChannels, inputSize, gen);
    }
}
