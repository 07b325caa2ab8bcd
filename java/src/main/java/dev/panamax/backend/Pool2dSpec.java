package dev.panamax.backend;

/**
 * Geometry of a 2-D pooling window over NCHW tensors; the output size comes from y's shape
 * (so ceil mode and asymmetric padding are decided by the op).
 */
public record Pool2dSpec(int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW) {
    public Pool2dSpec {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || padTop < 0 || padLeft < 0) {
            throw new IllegalArgumentException("invalid pooling geometry " + this);
        }
    }
}
