// Row kernels of fused scaled dot-product attention (Backend#attention), between the cuBLAS
// products of backend.cuda.CudaAttention: one block per query row of the [rows, S] scores,
// float32. The products stay in cuBLAS; these apply the scale, the causal mask (key j hidden from
// query i < j, i = row mod L) and the softmax, and keep each row's log-sum-exp for backward.
#include "common.cuh"

__device__ __forceinline__ bool attention_hidden(int causal, long long row, long long queries, long long j) {
    return causal && j > row % queries;
}

// scores (raw q·kᵀ) -> probabilities in place; lse[row] = log Σ e^(scale·s), -inf when no key is seen (row of 0).
extern "C" __global__ void pmx_attention_softmax(float* scores, float* lse, long long rows, long long queries, long long keys,
                                                 float scale, int causal) {
    __shared__ double sums[PMX_THREADS];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        float* s = scores + row * keys;
        float m = -INFINITY;
        for (long long j = threadIdx.x; j < keys; j += blockDim.x) {
            if (!attention_hidden(causal, row, queries, j)) m = fmaxf(m, scale * s[j]);
        }
        m = block_max(m);
        double part = 0;
        for (long long j = threadIdx.x; j < keys; j += blockDim.x) {
            if (!attention_hidden(causal, row, queries, j)) part += (double)expf(scale * s[j] - m);
        }
        double sum = block_sum(part, sums);
        float inv = sum == 0 ? 0.f : (float)(1 / sum);
        for (long long j = threadIdx.x; j < keys; j += blockDim.x) {
            s[j] = attention_hidden(causal, row, queries, j) || sum == 0 ? 0.f : expf(scale * s[j] - m) * inv;
        }
        if (threadIdx.x == 0) lse[row] = sum == 0 ? -INFINITY : m + (float)log(sum);
    }
}

// scores (raw q·kᵀ) -> the forward's probabilities e^(scale·s - lse), recomputed from the saved lse.
extern "C" __global__ void pmx_attention_probs(float* scores, const float* lse, long long rows, long long queries, long long keys,
                                               float scale, int causal) {
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        float* s = scores + row * keys;
        float l = lse[row];
        for (long long j = threadIdx.x; j < keys; j += blockDim.x) {
            s[j] = attention_hidden(causal, row, queries, j) || l == -INFINITY ? 0.f : expf(scale * s[j] - l);
        }
    }
}

// gradP (dO·vᵀ) -> the scores' gradient scale · p ∘ (gradP - Σ dO∘O) in place, the row sum in double.
extern "C" __global__ void pmx_attention_grad_scores(const float* p, float* gradP, const float* out, const float* gradOut,
                                                     long long rows, long long keys, long long valueSize, float scale) {
    __shared__ double sums[PMX_THREADS];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        double part = 0;
        for (long long e = threadIdx.x; e < valueSize; e += blockDim.x) {
            part += (double)out[row * valueSize + e] * gradOut[row * valueSize + e];
        }
        float delta = (float)block_sum(part, sums);
        for (long long j = threadIdx.x; j < keys; j += blockDim.x) {
            long long at = row * keys + j;
            gradP[at] = scale * p[at] * (gradP[at] - delta);
        }
    }
}
