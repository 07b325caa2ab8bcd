package dev.panamax.backend;

/**
 * Geometry of a 2-D convolution over NCHW tensors: x [N, C, H, W], weight [K, C/groups, R, S],
 * y [N, K, P, Q]. The output size comes from y's shape, so padding may be asymmetric: only the
 * top and left padding are given, the bottom and right follow from P and Q.
 */
public record Conv2dSpec(int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW, int groups) {
    public Conv2dSpec {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1 || padTop < 0 || padLeft < 0) {
            throw new IllegalArgumentException("invalid convolution geometry " + this);
        }
    }
}
