package dev.panamax.data.transforms;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Rotation counter-clockwise by an angle uniform in [min, max] degrees about the centre, keeping
 * the image size, like torchvision's {@code RandomRotation(degrees, interpolation, expand=False,
 * center, fill)}. A {@link RandomAffine} with only a rotation. Immutable.
 */
public final class RandomRotation implements Transform {
    private final RandomAffine affine;

    /** An angle uniform in [-degrees, degrees]. */
    public RandomRotation(double degrees) {
        this(checkDegrees(degrees), degrees);
    }

    public RandomRotation(double min, double max) {
        this(checkRange(min, max));
    }

    private RandomRotation(RandomAffine affine) {
        this.affine = affine;
    }

    private static double checkDegrees(double degrees) {
        if (!(degrees >= 0)) {
            throw new IllegalArgumentException("RandomRotation: degrees must be non-negative when given as one number, got " + degrees);
        }
        return -degrees;
    }

    private static RandomAffine checkRange(double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("RandomRotation: degrees must satisfy min <= max, got (" + min + ", " + max + ")");
        }
        // RandomAffine's angles turn clockwise
        return new RandomAffine(-max, -min).named("RandomRotation");
    }

    public RandomRotation interpolation(Interpolation interpolation) {
        return new RandomRotation(affine.interpolation(interpolation));
    }

    public RandomRotation fill(double... fill) {
        return new RandomRotation(affine.fill(fill));
    }

    public RandomRotation center(double x, double y) {
        return new RandomRotation(affine.center(x, y));
    }

    @Override
    public Tensor apply(Tensor x, Generator gen) {
        return affine.apply(x, gen);
    }
}
