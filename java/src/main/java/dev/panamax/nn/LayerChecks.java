package dev.panamax.nn;

import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/** Constructor argument checks shared by the layers; each message names the layer and the value at fault. */
final class LayerChecks {
    private LayerChecks() {}

    static void positive(String layer, String argument, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(layer + ": " + argument + " must be positive, got " + value);
        }
    }

    static void probability(String layer, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(layer + ": dropout probability has to be between 0 and 1, but got " + p);
        }
    }

    /** A recurrent state goes through the same products as the input, so it needs the input's dtype and device. */
    static void likeInput(String layer, String argument, Tensor state, Tensor input) {
        if (state.dtype() != input.dtype() || !state.device().equals(input.device())) {
            throw new IllegalArgumentException(layer + ": " + argument + " must have the input's dtype and device, " + input.describe() + " on "
                    + input.device() + ", got " + state.describe() + " on " + state.device());
        }
    }

    /** Positive channel counts and kernel sizes, both channel counts divisible by groups. */
    static void convolution(String layer, long inChannels, long outChannels, int groups, int... kernel) {
        if (inChannels <= 0 || outChannels <= 0 || Arrays.stream(kernel).anyMatch(k -> k <= 0)) {
            throw new IllegalArgumentException(layer + ": channels and kernel sizes must be positive, got in=" + inChannels
                    + " out=" + outChannels + " kernel=" + Arrays.toString(kernel));
        }
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(layer + ": in_channels " + inChannels + " and out_channels " + outChannels
                    + " must be divisible by groups " + groups);
        }
    }
}
