// Fused optimizer steps over contiguous operands of one float dtype T: one pass reads the
// parameter, its gradient and the state buffers and writes parameter and state in place, with
// dev.panamax.backend.cpu.OptimizerKernels' formulas (SgdUpdate, AdamUpdate).
#include "common.cuh"

// backend.cuda.OptimizerLaunch writes the same doubles.
struct SgdParams {
    double lr, weightDecay, momentum, dampening;
    int nesterov, firstStep;
};

struct AdamParams {
    double paramScale, weightDecay, beta1, beta2, biasCorrection2Sqrt, eps, gradStep, avgStep;
};

// buf (null without momentum) = firstStep ? g : momentum buf + (1 - dampening) g, then param -= lr g.
template <typename T>
__device__ void sgd(T* param, const T* grad, T* buf, long long n, const SgdParams& u) {
    T lr = (T)u.lr, wd = (T)u.weightDecay, momentum = (T)u.momentum, keep = (T)(1 - u.dampening);
    GRID_STRIDE(i, n) {
        T p = param[i];
        T g = grad[i];
        if (wd != 0) g = g + p * wd;
        if (buf) {
            T b = u.firstStep ? g : buf[i] * momentum + g * keep;
            buf[i] = b;
            g = u.nesterov ? g + b * momentum : b;
        }
        param[i] = p + g * -lr;
    }
}
#define SGD(T) sgd<T>((T*)param, (const T*)grad, (T*)buf, n, u)
FLOAT_AND_DOUBLE(pmx_sgd, (void* param, const void* grad, void* buf, long long n, SgdParams u), SGD)

// Adam, AdamW and NAdam; maxExpAvgSq is null without AMSGrad.
template <typename T>
__device__ void adam(T* param, const T* grad, T* m, T* v, T* vmax, long long n, const AdamParams& u) {
    T wd = (T)u.weightDecay, scale = (T)u.paramScale, w = (T)(1 - u.beta1), beta2 = (T)u.beta2;
    T oneMinusBeta2 = (T)(1 - u.beta2), bc2 = (T)u.biasCorrection2Sqrt, eps = (T)u.eps;
    T gradStep = (T)u.gradStep, avgStep = (T)u.avgStep;
    GRID_STRIDE(i, n) {
        T p = param[i];
        T g = grad[i];
        if (wd != 0) g = g + p * wd;
        if (scale != 1) p = p * scale;
        T mi = m[i];
        // PyTorch's lerp: the form that is exact at its own end of the weight range
        mi = w < T(0.5) ? mi + (g - mi) * w : g - (g - mi) * (T(1) - w);
        T vi = v[i] * beta2 + g * oneMinusBeta2 * g;
        m[i] = mi;
        v[i] = vi;
        if (vmax) {
            vi = java_max(vmax[i], vi);
            vmax[i] = vi;
        }
        T denom = sqrt(vi) / bc2 + eps;
        if (gradStep != 0) p = p + g / denom * -gradStep;
        param[i] = p + mi / denom * -avgStep;
    }
}
#define ADAM(T) adam<T>((T*)param, (const T*)grad, (T*)m, (T*)v, (T*)vmax, n, u)
FLOAT_AND_DOUBLE(pmx_adam, (void* param, const void* grad, void* m, void* v, void* vmax, long long n, AdamParams u), ADAM)
