package dev.panamax.backend.cpu;

/**
 * Where the pooling windows along one axis (the rows or the columns of an input plane) lie.
 * Window {@code o} has taps at {@code first[o] + t·step} for {@code t < taps[o]}; taps outside
 * {@code [0, in)} fall in the padding. Regular windows (max, average, stochastic pooling) start
 * {@code stride} apart; adaptive windows do not, and have no padding.
 */
final class PoolWindows {
    final int in;
    final int out;
    final int[] first;
    final int[] taps;
    final int step;
    /** Distance between consecutive windows' starts when every window has the same taps, else 0. */
    final int stride;

    private PoolWindows(int in, int out, int[] first, int[] taps, int step, int stride) {
        this.in = in;
        this.out = out;
        this.first = first;
        this.taps = taps;
        this.step = step;
        this.stride = stride;
    }

    /** Windows of {@code kernel} taps {@code dilation} apart, starting at {@code o·stride - pad}. */
    static PoolWindows regular(int in, int out, int kernel, int stride, int pad, int dilation) {
        int[] first = new int[out];
        int[] taps = new int[out];
        for (int o = 0; o < out; o++) {
            first[o] = o * stride - pad;
            taps[o] = kernel;
        }
        return new PoolWindows(in, out, first, taps, dilation, stride);
    }

    /** PyTorch's adaptive windows: {@code [floor(o·in/out), ceil((o+1)·in/out))}. */
    static PoolWindows adaptive(int in, int out) {
        int[] first = new int[out];
        int[] taps = new int[out];
        for (int o = 0; o < out; o++) {
            first[o] = (int) ((long) o * in / out);
            int end = (int) (((long) (o + 1) * in + out - 1) / out);
            taps[o] = end - first[o];
        }
        return new PoolWindows(in, out, first, taps, 1, 0);
    }

    /** The first tap of window o that lies inside the input. */
    int firstValid(int o) {
        return first[o] >= 0 ? 0 : (-first[o] + step - 1) / step;
    }

    /** One past the last tap of window o that lies inside the input. */
    int endValid(int o) {
        int last = first[o] + (taps[o] - 1) * step;
        if (last < in) {
            return taps[o];
        }
        return Math.max(0, Math.floorDiv(in - 1 - first[o], step) + 1);
    }

    /** Input position of tap t of window o. */
    int position(int o, int t) {
        return first[o] + t * step;
    }

    /** Cells of padding a row buffer needs before position 0. */
    int lead() {
        int lead = 0;
        for (int o = 0; o < out; o++) {
            lead = Math.max(lead, -first[o]);
        }
        return lead;
    }

    /**
     * Divisor factors of average pooling: the window size clipped to the input padded by
     * {@code pad} on each side ({@code includePad}, PyTorch's count_include_pad), else the number of
     * taps inside the input.
     */
    double[] counts(boolean includePad, int pad) {
        double[] c = new double[out];
        for (int o = 0; o < out; o++) {
            c[o] = includePad
                    ? Math.min(first[o] + (taps[o] - 1) * step + 1, in + pad) - first[o]
                    : endValid(o) - firstValid(o);
        }
        return c;
    }
}
