package dev.panamax.testing;

import java.util.Arrays;

/** Naive double-precision matrix products on {@link Ref}, with torch.matmul's rank rules. */
public final class RefLinearAlgebra {
    private RefLinearAlgebra() {}

    /** torch.matmul: vectors are promoted to matrices and the added dim removed; batch dims broadcast. */
    public static Ref matmul(Ref a, Ref b) {
        if (a.rank() == 1 && b.rank() == 1) {
            if (a.shape[0] != b.shape[0]) {
                throw new IllegalArgumentException("reference matmul: " + a.shape[0] + " vs " + b.shape[0]);
            }
            double s = 0;
            for (int i = 0; i < a.numel(); i++) {
                s += a.data[i] * b.data[i];
            }
            return new Ref(new double[] {s});
        }
        Ref a2 = a.rank() == 1 ? new Ref(a.data, 1, a.shape[0]) : a;
        Ref b2 = b.rank() == 1 ? new Ref(b.data, b.shape[0], 1) : b;
        Ref p = batched(a2, b2);
        long[] s = p.shape;
        if (b.rank() == 1) {
            s = Arrays.copyOf(s, s.length - 1); // drop the trailing 1 column
        } else if (a.rank() == 1) {
            long[] t = new long[s.length - 1];
            System.arraycopy(s, 0, t, 0, s.length - 2);
            t[t.length - 1] = s[s.length - 1];
            s = t;
        }
        return new Ref(p.data, s);
    }

    /** [..., m, k] @ [..., k, n] with broadcast batch dims, both operands at least 2-D. */
    private static Ref batched(Ref a, Ref b) {
        int ra = a.rank();
        int rb = b.rank();
        long m = a.shape[ra - 2];
        long k = a.shape[ra - 1];
        long n = b.shape[rb - 1];
        if (b.shape[rb - 2] != k) {
            throw new IllegalArgumentException("reference matmul: inner sizes " + k + " and " + b.shape[rb - 2]);
        }
        int batchRank = Math.max(ra, rb) - 2;
        long[] batch = new long[batchRank];
        for (int i = 0; i < batchRank; i++) {
            long da = i - (batchRank - (ra - 2)) >= 0 ? a.shape[i - (batchRank - (ra - 2))] : 1;
            long db = i - (batchRank - (rb - 2)) >= 0 ? b.shape[i - (batchRank - (rb - 2))] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("reference matmul: batch dims do not broadcast");
            }
            batch[i] = Math.max(da, db);
        }
        long[] outShape = Arrays.copyOf(batch, batchRank + 2);
        outShape[batchRank] = m;
        outShape[batchRank + 1] = n;
        Ref out = Ref.zeros(outShape);
        Ref batches = Ref.zeros(batch);
        for (int t = 0; t < batches.numel(); t++) {
            // where matrix t of each operand starts (broadcast batch dims repeat the same matrix)
            long[] idx = Arrays.copyOf(batches.unravel(t), batchRank + 2);
            int aBase = a.broadcastIndex(idx);
            int bBase = b.broadcastIndex(idx);
            int oBase = (int) (t * m * n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += a.data[aBase + (int) (i * k + p)] * b.data[bBase + (int) (p * n + j)];
                    }
                    out.data[oBase + (int) (i * n + j)] = s;
                }
            }
        }
        return out;
    }

    /** x @ w^T + b (b may be null). */
    public static Ref linear(Ref x, Ref w, Ref b) {
        long out = w.shape[0];
        long in = w.shape[1];
        long rows = x.numel() / in;
        long[] shape = x.shape.clone();
        shape[shape.length - 1] = out;
        Ref y = Ref.zeros(shape);
        for (long r = 0; r < rows; r++) {
            for (long o = 0; o < out; o++) {
                double s = b == null ? 0 : b.data[(int) o];
                for (long i = 0; i < in; i++) {
                    s += x.data[(int) (r * in + i)] * w.data[(int) (o * in + i)];
                }
                y.data[(int) (r * out + o)] = s;
            }
        }
        return y;
    }
}
