// Shared by every kernel family: element types, Java's conversion and NaN rules, strided layouts.
//
// The kernels mirror the CPU backend (dev.panamax.backend.cpu) operation for operation: values
// are loaded into a compute type (float when every operand is float32, else double), and stored
// with Java's conversions, so a GPU result equals the CPU result up to the rounding of the math
// functions themselves.
#pragma once
#include <stdint.h>

// dev.panamax.tensor.DType, by ordinal
enum DTypeCode { F32 = 0, F64 = 1, I32 = 2, I64 = 3, U8 = 4, BOOL = 5 };

#define PMX_MAX_DIMS 8
#define PMX_MAX_OPERANDS 4
#define PMX_THREADS 256

// One shape seen by up to four operands with their own strides (in elements; 0 broadcasts).
// Pointers passed next to it already point at each operand's element [0, 0, ...].
// backend.cuda.KernelLayout writes the same bytes.
struct Layout {
    int rank;
    int unused;
    long long shape[PMX_MAX_DIMS];
    long long strides[PMX_MAX_OPERANDS][PMX_MAX_DIMS];
};

// Element offsets of linear index i (row-major over L.shape) for the first N operands.
template <int N>
__device__ __forceinline__ void layout_offsets(const Layout& L, long long i, long long* off) {
#pragma unroll
    for (int k = 0; k < N; k++) off[k] = 0;
    for (int d = L.rank - 1; d >= 0; d--) {
        long long size = L.shape[d];
        long long c = i % size;
        i /= size;
#pragma unroll
        for (int k = 0; k < N; k++) off[k] += c * L.strides[k][d];
    }
}

// float and double instances of a templated body, with C names for cuModuleGetFunction
#define FLOAT_AND_DOUBLE(name, params, call)                               \
    extern "C" __global__ void name##_f32 params { call(float); }          \
    extern "C" __global__ void name##_f64 params { call(double); }

// Same, also returning the coordinate of dim `dim`.
template <int N>
__device__ __forceinline__ long long layout_offsets_at(const Layout& L, long long i, long long* off, int dim) {
    long long coord = 0;
#pragma unroll
    for (int k = 0; k < N; k++) off[k] = 0;
    for (int d = L.rank - 1; d >= 0; d--) {
        long long size = L.shape[d];
        long long c = i % size;
        i /= size;
        if (d == dim) coord = c;
#pragma unroll
        for (int k = 0; k < N; k++) off[k] += c * L.strides[k][d];
    }
    return coord;
}

#define GRID_STRIDE(i, n) \
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

// ---------------------------------------------------------------- Java semantics

// Java's (long) cast of a double: NaN is 0, out-of-range values saturate.
__device__ __forceinline__ long long java_d2l(double v) {
    if (v != v) return 0;
    if (v >= 9.2233720368547758e18) return 0x7fffffffffffffffLL;
    if (v <= -9.2233720368547758e18) return (long long)0x8000000000000000ULL;
    return (long long)v;
}

// Java's (int) cast of a double.
__device__ __forceinline__ int java_d2i(double v) {
    if (v != v) return 0;
    if (v >= 2147483647.0) return 2147483647;
    if (v <= -2147483648.0) return (int)0x80000000u;
    return (int)v;
}

// Math.max / Math.min: NaN if either is NaN (CUDA's fmax ignores NaN), and -0 < +0.
template <typename T>
__device__ __forceinline__ T java_max(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a > b ? a : b;
}

template <typename T>
__device__ __forceinline__ T java_min(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a < b ? a : b;
}

// Math.signum: NaN and signed zeros come back unchanged.
template <typename T>
__device__ __forceinline__ T java_signum(T x) {
    return x > 0 ? T(1) : x < 0 ? T(-1) : x;
}

// ---------------------------------------------------------------- loads and stores

__device__ __forceinline__ double load_double(const void* p, int dtype, long long i) {
    switch (dtype) {
        case F32: return ((const float*)p)[i];
        case F64: return ((const double*)p)[i];
        case I32: return ((const int*)p)[i];
        case I64: return (double)((const long long*)p)[i];
        default: return ((const unsigned char*)p)[i];
    }
}

// An element in compute type T, converted through double as the CPU's tiles are
// (so int64 to float rounds exactly as it does there).
template <typename T>
__device__ __forceinline__ T load_as(const void* p, int dtype, long long i) {
    if (dtype == F32) return (T)((const float*)p)[i];
    return (T)load_double(p, dtype, i);
}

// An integer element, exactly (indices, integer reductions).
__device__ __forceinline__ long long load_long(const void* p, int dtype, long long i) {
    switch (dtype) {
        case I64: return ((const long long*)p)[i];
        case I32: return ((const int*)p)[i];
        case U8:
        case BOOL: return ((const unsigned char*)p)[i];
        default: return java_d2l(load_double(p, dtype, i));
    }
}

// Stores with Java's conversions (Elements.write): int32 wraps through long, bool is v != 0.
template <typename T>
__device__ __forceinline__ void store_as(void* p, int dtype, long long i, T v) {
    switch (dtype) {
        case F32: ((float*)p)[i] = (float)v; break;
        case F64: ((double*)p)[i] = (double)v; break;
        case I32: ((int*)p)[i] = (int)java_d2l((double)v); break;
        case I64: ((long long*)p)[i] = java_d2l((double)v); break;
        case U8: ((unsigned char*)p)[i] = (unsigned char)java_d2i((double)v); break;
        default: ((unsigned char*)p)[i] = (double)v != 0 ? 1 : 0; break;
    }
}

// Stores an exact integer into an integer element (Reductions.writeIntegral).
__device__ __forceinline__ void store_long(void* p, int dtype, long long i, long long v) {
    switch (dtype) {
        case I64: ((long long*)p)[i] = v; break;
        case I32: ((int*)p)[i] = (int)v; break;
        default: store_as<double>(p, dtype, i, (double)v); break;
    }
}

// v as it reads back after a store into dtype: the rounding of one read-modify-write step.
__device__ __forceinline__ double round_to(int dtype, double v) {
    switch (dtype) {
        case F32: return (float)v;
        case F64: return v;
        case I32: return (int)java_d2l(v);
        case I64: return (double)java_d2l(v);
        case U8: return (unsigned char)java_d2i(v);
        default: return v != 0 ? 1 : 0;
    }
}

__device__ __forceinline__ void copy_bits(const void* src, long long si, void* dst, long long di, int size) {
    switch (size) {
        case 1: ((unsigned char*)dst)[di] = ((const unsigned char*)src)[si]; break;
        case 4: ((unsigned int*)dst)[di] = ((const unsigned int*)src)[si]; break;
        default: ((unsigned long long*)dst)[di] = ((const unsigned long long*)src)[si]; break;
    }
}

// target[i] += v for any dtype, atomically (one-byte types through a CAS on their word).
__device__ __forceinline__ void atomic_add_as(void* base, int dtype, long long i, double v) {
    switch (dtype) {
        case F32: atomicAdd((float*)base + i, (float)v); break;
        case F64: atomicAdd((double*)base + i, v); break;
        case I32: atomicAdd((int*)base + i, (int)java_d2l(v)); break;
        case I64: atomicAdd((unsigned long long*)base + i, (unsigned long long)java_d2l(v)); break;
        default: {
            unsigned char* byte = (unsigned char*)base + i;
            unsigned int* word = (unsigned int*)((uintptr_t)byte & ~(uintptr_t)3);
            unsigned int shift = ((uintptr_t)byte & 3) * 8;
            unsigned int old = *word, assumed;
            do {
                assumed = old;
                double cur = (assumed >> shift) & 0xff;
                unsigned int b = (unsigned int)round_to(dtype, cur + v) & 0xff;
                old = atomicCAS(word, assumed, (assumed & ~(0xffu << shift)) | (b << shift));
            } while (assumed != old);
        }
    }
}

// ---------------------------------------------------------------- block reductions

// Sums one double per thread over the block, in a fixed tree order; the result is in
// thread 0's return value. Every thread of the block must call it. scratch: blockDim.x doubles.
__device__ __forceinline__ double block_sum(double v, double* scratch) {
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (unsigned int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) scratch[threadIdx.x] += scratch[threadIdx.x + s];
        __syncthreads();
    }
    double r = scratch[0];
    __syncthreads();
    return r;
}
