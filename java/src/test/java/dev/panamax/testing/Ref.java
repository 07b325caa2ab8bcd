package dev.panamax.testing;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The test tree's reference tensor: a plain row-major double array with a shape. Reference
 * implementations of ops are written on it with naive loops, in double precision, sharing no
 * code with the library's kernels.
 */
public final class Ref {
    public final double[] data;
    public final long[] shape;

    public Ref(double[] data, long... shape) {
        if (data.length != Arrays.stream(shape).reduce(1, (a, b) -> a * b)) {
            throw new IllegalArgumentException("data length " + data.length + " does not match shape " + Arrays.toString(shape));
        }
        this.data = data;
        this.shape = shape.clone();
    }

    public static Ref of(Tensor t) {
        return new Ref(t.toDoubleArray(), t.shape().toArray());
    }

    public static Ref zeros(long... shape) {
        return new Ref(new double[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)], shape);
    }

    public Tensor toTensor(DType dtype) {
        try (Tensor t = Tensor.of(data, shape)) {
            return t.to(dtype);
        }
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return data.length;
    }

    public long[] strides() {
        return Shape.of(shape).contiguousStrides();
    }

    /** Flat index of a multi-index. */
    public int index(long... idx) {
        long[] st = strides();
        long f = 0;
        for (int d = 0; d < idx.length; d++) {
            f += idx[d] * st[d];
        }
        return (int) f;
    }

    /** Multi-index of a flat index. */
    public long[] unravel(int flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= (int) shape[d];
        }
        return idx;
    }

    public double get(long... idx) {
        return data[index(idx)];
    }

    public Ref map(DoubleUnaryOperator f) {
        double[] r = new double[data.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(data[i]);
        }
        return new Ref(r, shape);
    }

    /** Elementwise with NumPy broadcasting, written out index by index. */
    public static Ref zip(Ref a, Ref b, DoubleBinaryOperator f) {
        long[] out = Shape.broadcast("reference", Shape.of(a.shape), Shape.of(b.shape)).toArray();
        Ref r = zeros(out);
        for (int i = 0; i < r.numel(); i++) {
            long[] idx = r.unravel(i);
            r.data[i] = f.applyAsDouble(a.data[a.broadcastIndex(idx)], b.data[b.broadcastIndex(idx)]);
        }
        return r;
    }

    /** Flat index in this tensor of an index into a broadcast result of higher or equal rank. */
    public int broadcastIndex(long[] outIdx) {
        int shift = outIdx.length - shape.length;
        long f = 0;
        long[] st = strides();
        for (int d = 0; d < shape.length; d++) {
            long i = shape[d] == 1 ? 0 : outIdx[d + shift];
            f += i * st[d];
        }
        return (int) f;
    }

    /** Sum of this * w elementwise (same shape): the projection used for reference gradients. */
    public double dot(Ref w) {
        double s = 0;
        for (int i = 0; i < data.length; i++) {
            s += data[i] * w.data[i];
        }
        return s;
    }

    public Ref copy() {
        return new Ref(data.clone(), shape);
    }

    @Override
    public String toString() {
        return "Ref" + Arrays.toString(shape) + Arrays.toString(data);
    }
}
