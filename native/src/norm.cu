// Normalisation over a dense x seen as [N, C, S] (channel c: the N runs x[n, c, 0..S)): batch
// norm with batch or given statistics and its backward, which with N = 1 is also the row norm
// behind layer, instance and group norm; and cross-channel local response normalisation. One
// block per channel, sums in double in a fixed order, as dev.panamax.backend.cpu.NormKernels.
#include "common.cuh"

// A 1-D per-channel operand: absent when p is null. backend.cuda.NormLaunch writes the same bytes.
struct Vec {
    void* p;
    long long stride;
    int dtype;
    int unused;
};

__device__ __forceinline__ double vec_at(const Vec& v, long long i, double absent) {
    return v.p ? load_double(v.p, v.dtype, i * v.stride) : absent;
}

__device__ __forceinline__ void vec_put(const Vec& v, long long i, double value) {
    if (v.p) store_as<double>(v.p, v.dtype, i * v.stride, value);
}

// Batch statistics (biased variance, moments shifted by the channel's first element), then
// y = (x - mean) * invStd * weight + bias; saves mean and invStd and blends the running
// statistics (unbiased variance) when given: r = (1 - momentum) r + momentum batch.
extern "C" __global__ void pmx_norm_forward(const void* x, int xd, void* y, int yd, long long N, long long C, long long S,
                                            double eps, double momentum, Vec weight, Vec bias, Vec saveMean, Vec saveInvStd,
                                            Vec runningMean, Vec runningVar) {
    __shared__ double scratch[PMX_THREADS];
    long long count = N * S;
    for (long long c = blockIdx.x; c < C; c += gridDim.x) {
        double shift = count == 0 ? 0 : load_double(x, xd, c * S);
        double s1 = 0, s2 = 0;
        for (long long e = threadIdx.x; e < count; e += blockDim.x) {
            double d = load_double(x, xd, (e / S * C + c) * S + e % S) - shift;
            s1 += d;
            s2 += d * d;
        }
        s1 = block_sum(s1, scratch);
        s2 = block_sum(s2, scratch);
        double d = s1 / count;
        double mean = shift + d;
        double var = s2 / count - d * d;
        var = var > 0 ? var : 0;
        double invStd = 1 / sqrt(var + eps);
        if (threadIdx.x == 0) {
            vec_put(saveMean, c, mean);
            vec_put(saveInvStd, c, invStd);
            if (runningMean.p) {
                vec_put(runningMean, c, (1 - momentum) * vec_at(runningMean, c, 0) + momentum * mean);
                vec_put(runningVar, c, (1 - momentum) * vec_at(runningVar, c, 0) + momentum * (var * count / (count - 1)));
            }
        }
        double scale = vec_at(weight, c, 1) * invStd;
        double b = vec_at(bias, c, 0);
        for (long long e = threadIdx.x; e < count; e += blockDim.x) {
            long long at = (e / S * C + c) * S + e % S;
            store_as<double>(y, yd, at, (load_double(x, xd, at) - mean) * scale + b);
        }
    }
}

// y = (x - mean) / sqrt(var + eps) * weight + bias with given statistics, one thread per element.
extern "C" __global__ void pmx_norm_apply(const void* x, int xd, void* y, int yd, long long N, long long C, long long S,
                                          double eps, Vec weight, Vec bias, Vec mean, Vec var) {
    GRID_STRIDE(i, N * C * S) {
        long long c = i / S % C;
        double scale = vec_at(weight, c, 1) / sqrt(vec_at(var, c, 0) + eps);
        store_as<double>(y, yd, i, (load_double(x, xd, i) - vec_at(mean, c, 0)) * scale + vec_at(bias, c, 0));
    }
}

// Gradients from the saved mean and invStd: sums of gy and gy * (x - mean) per channel, then
// gWeight, gBias and gx = gScale gy + xScale (x - mean) + shift, where batch statistics
// (training) add the terms through the mean and variance. gx, gWeight and gBias may be absent.
extern "C" __global__ void pmx_norm_backward(const void* x, int xd, const void* gy, int gyd, void* gx, int gxd, long long N,
                                             long long C, long long S, int training, Vec weight, Vec mean, Vec invStd,
                                             Vec gWeight, Vec gBias) {
    __shared__ double scratch[PMX_THREADS];
    long long count = N * S;
    bool sums = training || gWeight.p || gBias.p;
    for (long long c = blockIdx.x; c < C; c += gridDim.x) {
        double mu = vec_at(mean, c, 0);
        double is = vec_at(invStd, c, 0);
        double s0 = 0, s1 = 0;
        if (sums) {
            for (long long e = threadIdx.x; e < count; e += blockDim.x) {
                long long at = (e / S * C + c) * S + e % S;
                double g = load_double(gy, gyd, at);
                s0 += g;
                s1 += g * (load_double(x, xd, at) - mu);
            }
            s0 = block_sum(s0, scratch);
            s1 = block_sum(s1, scratch);
        }
        if (threadIdx.x == 0) {
            vec_put(gWeight, c, s1 * is);
            vec_put(gBias, c, s0);
        }
        if (!gx) continue;
        double gScale = vec_at(weight, c, 1) * is;
        double xScale = training ? -gScale * is * is * s1 / count : 0;
        double shift = training ? -gScale * s0 / count : 0;
        for (long long e = threadIdx.x; e < count; e += blockDim.x) {
            long long at = (e / S * C + c) * S + e % S;
            double centred = load_double(x, xd, at) - mu;
            store_as<double>(gx, gxd, at, load_double(gy, gyd, at) * gScale + centred * xScale + shift);
        }
    }
}

// ---------------------------------------------------------------- local response normalisation

// d = k + alpha / size * (sum of x^2 over channels [c - size/2, c + (size-1)/2] inside [0, C)).
__device__ __forceinline__ double lrn_denominator(const void* x, int xd, long long i, long long C, long long S, int size,
                                                  double alpha, double k) {
    long long c = i / S % C;
    long long base = i - c * S;
    long long lo = c - size / 2 > 0 ? c - size / 2 : 0;
    long long hi = c + (size - 1) / 2 < C - 1 ? c + (size - 1) / 2 : C - 1;
    double sq = 0;
    for (long long cc = lo; cc <= hi; cc++) {
        double v = load_double(x, xd, base + cc * S);
        sq += v * v;
    }
    return k + alpha / size * sq;
}

extern "C" __global__ void pmx_lrn_forward(const void* x, int xd, void* y, int yd, long long N, long long C, long long S,
                                           int size, double alpha, double beta, double k) {
    GRID_STRIDE(i, N * C * S) {
        store_as<double>(y, yd, i, load_double(x, xd, i) * pow(lrn_denominator(x, xd, i, C, S, size, alpha, k), -beta));
    }
}

// First backward pass: scratch[i] = d^-beta and scratch[total + i] = gy * y / d.
extern "C" __global__ void pmx_lrn_backward_terms(const void* x, int xd, const void* y, int yd, const void* gy, int gyd,
                                                  double* scratch, long long N, long long C, long long S, int size,
                                                  double alpha, double beta, double k) {
    long long total = N * C * S;
    GRID_STRIDE(i, total) {
        double d = lrn_denominator(x, xd, i, C, S, size, alpha, k);
        scratch[i] = pow(d, -beta);
        scratch[total + i] = load_double(gy, gyd, i) * load_double(y, yd, i) / d;
    }
}

// gx = gy d^-beta - 2 alpha beta / size * x * (sum of gy y / d over the channels whose window
// holds this one, [c - (size-1)/2, c + size/2]).
extern "C" __global__ void pmx_lrn_backward(const void* x, int xd, const void* gy, int gyd, void* gx, int gxd,
                                            const double* scratch, long long N, long long C, long long S, int size,
                                            double alpha, double beta) {
    long long total = N * C * S;
    double coef = 2 * alpha * beta / size;
    GRID_STRIDE(i, total) {
        long long c = i / S % C;
        long long base = i - c * S;
        long long lo = c - (size - 1) / 2 > 0 ? c - (size - 1) / 2 : 0;
        long long hi = c + size / 2 < C - 1 ? c + size / 2 : C - 1;
        double sum = 0;
        for (long long cc = lo; cc <= hi; cc++) sum += scratch[total + base + cc * S];
        double g = load_double(gy, gyd, i) * scratch[i];
        store_as<double>(gx, gxd, i, g - coef * load_double(x, xd, i) * sum);
    }
}
