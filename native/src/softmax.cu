// Softmax and log-softmax along one dim, forward and backward: one block per row (the elements
// along the dim), the row maximum subtracted first. Float32 rows exponentiate in float and sum in
// double, as the CPU's vector path does; float64 rows are double throughout.
#include "common.cuh"

// The block's maximum of one T per thread (NaN wins, as Math.max); every thread gets it.
template <typename T>
__device__ T block_max(T v) {
    __shared__ T s[PMX_THREADS];
    s[threadIdx.x] = v;
    __syncthreads();
    for (unsigned int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) s[threadIdx.x] = java_max(s[threadIdx.x], s[threadIdx.x + w]);
        __syncthreads();
    }
    T r = s[0];
    __syncthreads();
    return r;
}

// L: the rows' shape (x's with dim of size 1) for x and y; n elements per row, steps along dim.
template <typename T>
__device__ void softmax(const void* x, int xd, void* y, int yd, const Layout& L, long long rows, long long n,
                        long long xStep, long long yStep, int logOut) {
    __shared__ double sums[PMX_THREADS];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        long long off[2];
        layout_offsets<2>(L, row, off);
        T m = T(-INFINITY);
        for (long long i = threadIdx.x; i < n; i += blockDim.x) m = java_max(m, load_as<T>(x, xd, off[0] + i * xStep));
        m = block_max(m);
        double part = 0;
        for (long long i = threadIdx.x; i < n; i += blockDim.x) part += (double)exp(load_as<T>(x, xd, off[0] + i * xStep) - m);
        double sum = block_sum(part, sums);
        if (logOut) {
            // (x - max) - log(sum): exact near the maximum, where x - (max + log(sum)) would round
            T logSum = (T)log(sum);
            for (long long i = threadIdx.x; i < n; i += blockDim.x) {
                store_as<T>(y, yd, off[1] + i * yStep, (load_as<T>(x, xd, off[0] + i * xStep) - m) - logSum);
            }
        } else {
            T inv = (T)(1 / sum);
            for (long long i = threadIdx.x; i < n; i += blockDim.x) {
                store_as<T>(y, yd, off[1] + i * yStep, (T)exp(load_as<T>(x, xd, off[0] + i * xStep) - m) * inv);
            }
        }
    }
}
#define SOFTMAX(T) softmax<T>(x, xd, y, yd, L, rows, n, xStep, yStep, logOut)
FLOAT_AND_DOUBLE(pmx_softmax, (const void* x, int xd, void* y, int yd, Layout L, long long rows, long long n,
                               long long xStep, long long yStep, int logOut), SOFTMAX)

// softmax: gx = y * (g - sum(g * y)); log-softmax: gx = g - exp(y) * sum(g); in double.
extern "C" __global__ void pmx_softmax_backward(const void* y, int yd, const void* g, int gd, void* gx, int gxd, Layout L,
                                                long long rows, long long n, long long yStep, long long gStep,
                                                long long gxStep, int logOut) {
    __shared__ double sums[PMX_THREADS];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        long long off[3];
        layout_offsets<3>(L, row, off);
        double part = 0;
        for (long long i = threadIdx.x; i < n; i += blockDim.x) {
            double gi = load_double(g, gd, off[1] + i * gStep);
            part += logOut ? gi : gi * load_double(y, yd, off[0] + i * yStep);
        }
        double dot = block_sum(part, sums);
        for (long long i = threadIdx.x; i < n; i += blockDim.x) {
            double yi = load_double(y, yd, off[0] + i * yStep);
            double gi = load_double(g, gd, off[1] + i * gStep);
            store_as<double>(gx, gxd, off[2] + i * gxStep, logOut ? gi - exp(yi) * dot : yi * (gi - dot));
        }
    }
}
