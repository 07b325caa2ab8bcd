package dev.panamax.optim;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * The parameters of a second-order optimizer seen as one vector of doubles, in the order of the
 * parameter list (PyTorch's {@code _gather_flat_grad} and {@code _add_grad}).
 */
final class FlatParameters {
    private final List<Tensor> params;
    private final int size;

    FlatParameters(List<Tensor> params) {
        this.params = params;
        long n = params.stream().mapToLong(Tensor::numel).sum();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("second-order optimizers handle at most 2^31 - 9 parameter elements, got " + n);
        }
        this.size = (int) n;
    }

    int size() {
        return size;
    }

    /** The parameters' values. */
    double[] values() {
        double[] x = new double[size];
        int offset = 0;
        for (Tensor p : params) {
            double[] v = p.toDoubleArray();
            System.arraycopy(v, 0, x, offset, v.length);
            offset += v.length;
        }
        return x;
    }

    /** The parameters' gradients; zeros for a parameter without one. */
    double[] gradients() {
        double[] g = new double[size];
        int offset = 0;
        for (Tensor p : params) {
            if (p.grad() != null) {
                double[] v = p.grad().toDoubleArray();
                System.arraycopy(v, 0, g, offset, v.length);
            }
            offset += (int) p.numel();
        }
        return g;
    }

    /**
     * Writes {@code x} into the parameters (grad mode must be off), and rounds {@code x} in place to
     * what they now hold, so the iterate is exactly the point the closure sees.
     */
    void set(double[] x) {
        int offset = 0;
        for (Tensor p : params) {
            int n = (int) p.numel();
            double[] slice = new double[n];
            System.arraycopy(x, offset, slice, 0, n);
            try (Tensor t = Tensor.of(slice, p.shape().toArray())) {
                p.copy_(t);
            }
            if (p.dtype() == DType.FLOAT32) {
                for (int i = offset; i < offset + n; i++) {
                    x[i] = (float) x[i];
                }
            }
            offset += n;
        }
    }

    /** The machine epsilon of the coarsest parameter dtype (for finite-difference steps). */
    double epsilon() {
        return params.stream().anyMatch(p -> p.dtype() == DType.FLOAT32) ? Math.ulp(1.0f) : Math.ulp(1.0);
    }
}
