package dev.panamax.data.transforms;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * A random affine map of each image about its centre, keeping its size, like torchvision's
 * {@code RandomAffine(degrees, translate, scale, shear, interpolation, fill, center)}: rotation by
 * an angle uniform in [degreesMin, degreesMax] (clockwise, as torchvision's {@code affine}),
 * translation by whole pixels up to a fraction of the width and height, scaling, and shear along
 * x (and y). Pixels that come from outside the image get {@code fill}. Defaults as torchvision:
 * no translation, scale or shear, nearest-neighbour sampling, fill 0. Immutable.
 *
 * <p>Geometry as torchvision's tensor path: output pixel centres are mapped through the inverse
 * matrix and sampled as {@code grid_sample(align_corners=False)}. With bilinear sampling and a
 * non-zero fill, the pixels outside the image count as {@code fill} in the interpolation
 * (torchvision blends with a sampled mask instead; both agree for fill 0).
 */
public final class RandomAffine implements Transform {
    /** Per image: angle, translate x, translate y, scale, shear x, shear y. */
    private static final int DRAWS = 6;

    private final double degreesMin;
    private final double degreesMax;
    private final double translateX;
    private final double translateY;
    private final double scaleMin;
    private final double scaleMax;
    /** x-min, x-max, y-min, y-max in degrees. */
    private final double[] shear;
    private final Interpolation interpolation;
    private final double[] fill;
    /** Centre in pixel coordinates (x, y), or null for the image centre. */
    private final double[] center;
    /** The name errors give: RandomAffine, or RandomRotation when that wraps it. */
    private final String name;

    /** Rotation by an angle uniform in [-degrees, degrees]. */
    public RandomAffine(double degrees) {
        this(checkDegrees(degrees), degrees);
    }

    /** Rotation by an angle uniform in [degreesMin, degreesMax]. */
    public RandomAffine(double degreesMin, double degreesMax) {
        this(degreesMin, degreesMax, 0, 0, 1, 1, new double[4], Interpolation.NEAREST, new double[] {0}, null, "RandomAffine");
        if (!(degreesMin <= degreesMax)) {
            throw new IllegalArgumentException("RandomAffine: degrees must satisfy min <= max, got (" + degreesMin + ", " + degreesMax + ")");
        }
    }

    private RandomAffine(double degreesMin, double degreesMax, double translateX, double translateY, double scaleMin,
                         double scaleMax, double[] shear, Interpolation interpolation, double[] fill, double[] center, String name) {
        this.degreesMin = degreesMin;
        this.degreesMax = degreesMax;
        this.translateX = translateX;
        this.translateY = translateY;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.shear = shear;
        this.interpolation = interpolation;
        this.fill = fill;
        this.center = center;
        this.name = name;
    }

    private static double checkDegrees(double degrees) {
        if (!(degrees >= 0)) {
            throw new IllegalArgumentException("RandomAffine: degrees must be non-negative when given as one number, got " + degrees);
        }
        return -degrees;
    }

    /** Translation by up to {@code fx · width} and {@code fy · height} pixels (rounded to whole pixels), fractions in [0, 1]. */
    public RandomAffine translate(double fx, double fy) {
        if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) {
            throw new IllegalArgumentException("RandomAffine: translate fractions must be in [0, 1], got (" + fx + ", " + fy + ")");
        }
        return new RandomAffine(degreesMin, degreesMax, fx, fy, scaleMin, scaleMax, shear, interpolation, fill, center, name);
    }

    /** Scaling by a factor uniform in [min, max]. */
    public RandomAffine scale(double min, double max) {
        if (!(min > 0 && min <= max && Double.isFinite(max))) {
            throw new IllegalArgumentException("RandomAffine: scale must satisfy 0 < min <= max, got (" + min + ", " + max + ")");
        }
        return new RandomAffine(degreesMin, degreesMax, translateX, translateY, min, max, shear, interpolation, fill, center, name);
    }

    /** Shear parallel to the x axis by an angle uniform in [xMin, xMax] degrees. */
    public RandomAffine shear(double xMin, double xMax) {
        return shear(xMin, xMax, 0, 0);
    }

    /** Shear along x in [xMin, xMax] and along y in [yMin, yMax] degrees. */
    public RandomAffine shear(double xMin, double xMax, double yMin, double yMax) {
        if (!(xMin <= xMax && yMin <= yMax && Math.abs(xMin) < 90 && Math.abs(xMax) < 90 && Math.abs(yMin) < 90 && Math.abs(yMax) < 90)) {
            throw new IllegalArgumentException("RandomAffine: shear ranges must satisfy min <= max within (-90, 90) degrees, got x ("
                    + xMin + ", " + xMax + ") y (" + yMin + ", " + yMax + ")");
        }
        return new RandomAffine(degreesMin, degreesMax, translateX, translateY, scaleMin, scaleMax,
                new double[] {xMin, xMax, yMin, yMax}, interpolation, fill, center, name);
    }

    public RandomAffine interpolation(Interpolation interpolation) {
        return new RandomAffine(degreesMin, degreesMax, translateX, translateY, scaleMin, scaleMax, shear, interpolation, fill, center, name);
    }

    /** The same transform reporting errors as {@code name}. */
    RandomAffine named(String name) {
        return new RandomAffine(degreesMin, degreesMax, translateX, translateY, scaleMin, scaleMax, shear, interpolation, fill, center, name);
    }

    /** Value of pixels from outside the image: one number, or one per channel. */
    public RandomAffine fill(double... fill) {
        if (fill.length == 0) {
            throw new IllegalArgumentException(name + ": fill needs 1 or C values, got none");
        }
        return new RandomAffine(degreesMin, degreesMax, translateX, translateY, scaleMin, scaleMax, shear, interpolation, fill.clone(), center, name);
    }

    /** Centre of rotation, scaling and shear in pixel coordinates (x, y); default the image centre. */
    public RandomAffine center(double x, double y) {
        return new RandomAffine(degreesMin, degreesMax, translateX, translateY, scaleMin, scaleMax, shear, interpolation, fill,
                new double[] {x, y}, name);
    }

    @Override
    public Tensor apply(Tensor x, Generator gen) {
        Images in = Images.of(name, x);
        double[] fillC = in.perChannel(name, "fill", fill);
        Draws draws = Draws.of(gen, DRAWS * in.count);
        double cx = center == null ? 0 : center[0] - in.width * 0.5;
        double cy = center == null ? 0 : center[1] - in.height * 0.5;
        double[] out = new double[in.pixels.length];
        double[] matrix = new double[6];
        for (int n = 0; n < in.count; n++) {
            double angle = draws.uniform(degreesMin, degreesMax);
            double tx = Math.rint(draws.uniform(-translateX * in.width, translateX * in.width));
            double ty = Math.rint(draws.uniform(-translateY * in.height, translateY * in.height));
            double scale = draws.uniform(scaleMin, scaleMax);
            double shearX = draws.uniform(shear[0], shear[1]);
            double shearY = draws.uniform(shear[2], shear[3]);
            inverseMatrix(cx, cy, angle, tx, ty, scale, shearX, shearY, matrix);
            AffineSampler.sample(in, n, matrix, interpolation, fillC, out);
        }
        return in.toTensor(out, in.height, in.width);
    }

    /**
     * torchvision's {@code _get_inverse_affine_matrix}: the map from output to input coordinates
     * (origin at the image centre) of M = T · C · R(angle) · S(scale) · Shear · C⁻¹.
     */
    static void inverseMatrix(double cx, double cy, double angleDeg, double tx, double ty, double scale,
                              double shearXDeg, double shearYDeg, double[] m) {
        double rot = Math.toRadians(angleDeg);
        double sx = Math.toRadians(shearXDeg);
        double sy = Math.toRadians(shearYDeg);
        double a = Math.cos(rot - sy) / Math.cos(sy);
        double b = -Math.cos(rot - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(rot);
        double c = Math.sin(rot - sy) / Math.cos(sy);
        double d = -Math.sin(rot - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(rot);
        // det [[a, b], [c, d]] = 1: the inverse of the rotation-shear part is [[d, -b], [-c, a]]
        m[0] = d / scale;
        m[1] = -b / scale;
        m[3] = -c / scale;
        m[4] = a / scale;
        m[2] = m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx;
        m[5] = m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy;
    }
}
