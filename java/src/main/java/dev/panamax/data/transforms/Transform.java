package dev.panamax.data.transforms;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * An image transform or augmentation on float32/float64 tensors of shape [C, H, W] or
 * [B, C, H, W]. Random transforms draw from the given {@link Generator}, so the same generator
 * state gives the same output; on a batch each image gets its own random parameters (torchvision
 * draws one set per call).
 */
@FunctionalInterface
public interface Transform {
    /**
     * The transformed image(s) as a new tensor the caller owns; {@code x} is left unchanged and
     * open. Transforms that draw nothing ({@link Normalize}) accept a null generator.
     */
    Tensor apply(Tensor x, Generator gen);

    /** This transform, then {@code next} (the intermediate result is freed). */
    default Transform andThen(Transform next) {
        return (x, gen) -> {
            try (Tensor y = apply(x, gen)) {
                return next.apply(y, gen);
            }
        };
    }

    /** The transforms applied in order, like torchvision's {@code Compose}; none gives the identity. */
    static Transform compose(Transform... transforms) {
        Transform t = (x, gen) -> x.detach();
        for (Transform next : transforms) {
            t = t.andThen(next);
        }
        return t;
    }
}
