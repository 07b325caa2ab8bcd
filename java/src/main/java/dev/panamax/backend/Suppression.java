package dev.panamax.backend;

import java.util.Arrays;

/** What the NMS kernels of every backend share: the order they visit boxes in and the threshold test. */
public final class Suppression {
    private Suppression() {}

    /**
     * Indices by decreasing score, equal scores by increasing index, NaN first and -0 equal to +0
     * (torch.sort's descending order, made stable). One sort of primitive keys: the score's bits
     * made order-preserving and inverted in the high half, the index in the low half.
     */
    public static int[] order(float[] scores) {
        long[] keys = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            int bits = Float.floatToIntBits(scores[i] + 0.0f);
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[i] = ((long) ~ascending << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[scores.length];
        for (int r = 0; r < order.length; r++) {
            order[r] = (int) keys[r];
        }
        return order;
    }

    /**
     * The largest float not above {@code t}: for a float IoU v, v > t (torchvision compares in
     * double) exactly when v > threshold(t), so kernels compare in float.
     */
    public static float threshold(double t) {
        float f = (float) t;
        return f > t ? Math.nextDown(f) : f;
    }
}
