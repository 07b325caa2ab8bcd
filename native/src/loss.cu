// Negative log-likelihood of integer class targets (dev.panamax.backend.cpu.LossKernels): one
// gather of a log-probability per target, and the backward's one write per target.
#include "common.cuh"

// The weight of class t: weight[t], or 1 without a weight tensor.
__device__ __forceinline__ double class_weight(const void* weight, int wd, long long wStride, long long t) {
    return weight ? load_double(weight, wd, t * wStride) : 1.0;
}

// L over the target's shape [N, d...]: operand 0 target, 1 logProbs without its class dim,
// 2 losses, 3 weights (absent: null pointer, zero strides).
extern "C" __global__ void pmx_nll_loss(const void* logProbs, int pd, long long classStride, const void* target, int td,
                                        const void* weight, int wd, long long wStride, long long ignoreIndex,
                                        void* losses, int ld, void* weights, int wsd, Layout L, long long n) {
    GRID_STRIDE(i, n) {
        long long off[4];
        layout_offsets<4>(L, i, off);
        long long t = load_long(target, td, off[0]);
        double w = t == ignoreIndex ? 0 : class_weight(weight, wd, wStride, t);
        double loss = t == ignoreIndex ? 0 : -w * load_double(logProbs, pd, off[1] + t * classStride);
        store_as<double>(losses, ld, off[2], loss);
        if (weights) store_as<double>(weights, wsd, off[3], w);
    }
}

// gradLogProbs (zeroed by the caller) gets -w[t] * gradLosses[i] at each non-ignored target.
// L over the target's shape: operand 0 target, 1 gradLosses, 2 gradLogProbs without its class dim.
extern "C" __global__ void pmx_nll_loss_backward(const void* gradLosses, int gd, const void* target, int td,
                                                 const void* weight, int wd, long long wStride, long long ignoreIndex,
                                                 void* gradLogProbs, int xd, long long classStride, Layout L, long long n) {
    GRID_STRIDE(i, n) {
        long long off[3];
        layout_offsets<3>(L, i, off);
        long long t = load_long(target, td, off[0]);
        if (t != ignoreIndex) {
            double g = load_double(gradLosses, gd, off[1]);
            store_as<double>(gradLogProbs, xd, off[2] + t * classStride, -class_weight(weight, wd, wStride, t) * g);
        }
    }
}
