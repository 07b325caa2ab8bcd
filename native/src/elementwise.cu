// Elementwise kernels: fill, arange, copies and conversions, unary functions and their
// derivatives, binary ops and where, over any strided (broadcast) layout; dense float32 twins of
// unary and binary with 16-byte loads.
#include "common.cuh"

// dev.panamax.backend.UnaryOp, by ordinal (UnaryOpCodeTest compares the names)
enum UnaryOpCode {
    NEG = 0, EXP = 1, LOG = 2, LOG1P = 3, SQRT = 4, RSQRT = 5, ABS = 6, SIGN = 7, POW_SCALAR = 8,
    CLAMP = 9, SIGMOID = 10, TANH = 11, RELU = 12, LEAKY_RELU = 13, ELU = 14, SELU = 15, GELU = 16,
    GELU_TANH = 17, SOFTPLUS = 18, SILU = 19, HARDTANH = 20, STEP = 21, LOGICAL_NOT = 22
};

// dev.panamax.backend.BinaryOp, by ordinal
enum BinaryOpCode {
    ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, MAXIMUM = 5, MINIMUM = 6, EQ = 7, NE = 8, LT = 9,
    LE = 10, GT = 11, GE = 12, LOGICAL_AND = 13, LOGICAL_OR = 14
};

#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946
#define GELU_K 0.7978845608028654
#define INV_SQRT_2 0.70710678118654752440
#define INV_SQRT_2PI 0.39894228040143267794

// Java's Math.pow, which (unlike C's) gives NaN for 1^NaN and (-1)^(+-inf): UnaryOp's derivative uses it.
template <typename T>
__device__ __forceinline__ T java_pow(T x, T e) {
    if ((x == 1 && e != e) || (x == -1 && isinf(e))) return T(NAN);
    return pow(x, e);
}

template <typename T>
__device__ __forceinline__ T normal_cdf(T x) { return T(0.5) * erfc(-x * T(INV_SQRT_2)); }

template <typename T>
__device__ __forceinline__ T normal_pdf(T x) { return exp(T(-0.5) * x * x) * T(INV_SQRT_2PI); }

template <typename T>
__device__ __forceinline__ T unary_apply(int op, T x, T p0, T p1) {
    switch (op) {
        case NEG: return -x;
        case EXP: return exp(x);
        case LOG: return log(x);
        case LOG1P: return log1p(x);
        case SQRT: return sqrt(x);
        case RSQRT: return T(1) / sqrt(x);
        case ABS: return fabs(x);
        case SIGN: return java_signum(x);
        case POW_SCALAR: return pow(x, p0);  // C's pow: 1^NaN = 1, as ScalarMath.pow
        case CLAMP:
        case HARDTANH: return x != x ? x : java_min(java_max(x, p0), p1);
        case SIGMOID: return T(1) / (T(1) + exp(-x));
        case TANH: return tanh(x);
        case RELU: return x > 0 ? x : (x != x ? x : T(0));
        case LEAKY_RELU: return x > 0 ? x : p0 * x;
        case ELU: return x > 0 ? x : p0 * expm1(x);
        case SELU: return T(SELU_SCALE) * (x > 0 ? x : T(SELU_ALPHA) * expm1(x));
        case GELU: return x * normal_cdf(x);
        case GELU_TANH: return T(0.5) * x * (T(1) + tanh(T(GELU_K) * (x + T(0.044715) * x * x * x)));
        case SOFTPLUS: return p0 * x > p1 ? x : log1p(exp(p0 * x)) / p0;
        case SILU: return x / (T(1) + exp(-x));
        case STEP: return x > 0 ? T(1) : x < 0 ? T(0) : (x == 0 ? p0 : x);
        default: return x == 0 ? T(1) : T(0);  // LOGICAL_NOT
    }
}

template <typename T>
__device__ T unary_derivative(int op, T x, T y, T p0, T p1) {
    switch (op) {
        case NEG: return T(-1);
        case EXP: return y;
        case LOG: return T(1) / x;
        case LOG1P: return T(1) / (T(1) + x);
        case SQRT: return T(0.5) / y;
        case RSQRT: return T(-0.5) * y * y * y;
        case ABS: return java_signum(x);
        case POW_SCALAR: return p0 == 0 ? T(0) : p0 * java_pow(x, p0 - T(1));
        case CLAMP: return x >= p0 && x <= p1 ? T(1) : T(0);
        case HARDTANH: return x > p0 && x < p1 ? T(1) : T(0);
        case SIGMOID: return y * (T(1) - y);
        case TANH: return T(1) - y * y;
        case RELU: return x > 0 ? T(1) : T(0);
        case LEAKY_RELU: return x > 0 ? T(1) : p0;
        case ELU: return x > 0 ? T(1) : p0 * exp(x);
        case SELU: return T(SELU_SCALE) * (x > 0 ? T(1) : T(SELU_ALPHA) * exp(x));
        case GELU: return normal_cdf(x) + x * normal_pdf(x);
        case GELU_TANH: {
            T t = tanh(T(GELU_K) * (x + T(0.044715) * x * x * x));
            return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * T(GELU_K) * (T(1) + T(3 * 0.044715) * x * x);
        }
        case SOFTPLUS: return p0 * x > p1 ? T(1) : T(1) / (T(1) + exp(-p0 * x));
        case SILU: {
            T s = T(1) / (T(1) + exp(-x));
            return s * (T(1) + x * (T(1) - s));
        }
        default: return T(0);  // SIGN, STEP, LOGICAL_NOT
    }
}

template <typename T>
__device__ __forceinline__ T binary_apply(int op, T a, T b) {
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return a / b;
        case POW: return pow(a, b);
        case MAXIMUM: return java_max(a, b);
        case MINIMUM: return java_min(a, b);
        case EQ: return a == b ? T(1) : T(0);
        case NE: return a != b ? T(1) : T(0);
        case LT: return a < b ? T(1) : T(0);
        case LE: return a <= b ? T(1) : T(0);
        case GT: return a > b ? T(1) : T(0);
        case GE: return a >= b ? T(1) : T(0);
        case LOGICAL_AND: return a != 0 && b != 0 ? T(1) : T(0);
        default: return a != 0 || b != 0 ? T(1) : T(0);  // LOGICAL_OR
    }
}

// ---------------------------------------------------------------- dense float32

#define DENSE_UNROLL 4  // CudaContext.blocksForDense sizes the grid for it

template <typename F>
__device__ __forceinline__ float4 map4(float4 u, float4 v, F f) {
    return make_float4(f(u.x, v.x), f(u.y, v.y), f(u.z, v.z), f(u.w, v.w));
}

// out[i] = f(a[i], b[i]) over n contiguous floats (b unread when UNARY). Each thread loads
// DENSE_UNROLL float4s before it computes or stores any, so enough bytes are in flight to reach
// the memory bandwidth; the scalar loop takes the tail and misaligned pointers.
template <bool UNARY, typename F>
__device__ __forceinline__ void dense_f32(const float* a, const float* b, float* out, long long n, F f) {
    uintptr_t bits = (uintptr_t)a | (uintptr_t)out | (UNARY ? 0 : (uintptr_t)b);
    long long quads = (bits & 15) == 0 ? n / 4 : 0;
    const float4* a4 = (const float4*)a;
    const float4* b4 = (const float4*)b;
    float4* out4 = (float4*)out;
    long long stride = (long long)gridDim.x * blockDim.x;
    long long q = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    for (; q + (DENSE_UNROLL - 1) * stride < quads; q += DENSE_UNROLL * stride) {
        float4 u[DENSE_UNROLL], v[DENSE_UNROLL];
#pragma unroll
        for (int k = 0; k < DENSE_UNROLL; k++) {
            u[k] = __ldg(a4 + q + k * stride);
            v[k] = UNARY ? u[k] : __ldg(b4 + q + k * stride);
        }
#pragma unroll
        for (int k = 0; k < DENSE_UNROLL; k++) out4[q + k * stride] = map4(u[k], v[k], f);
    }
    for (; q < quads; q += stride) out4[q] = map4(__ldg(a4 + q), UNARY ? __ldg(a4 + q) : __ldg(b4 + q), f);
    GRID_STRIDE(i, n - 4 * quads) {
        long long e = 4 * quads + i;
        out[e] = f(a[e], UNARY ? a[e] : b[e]);
    }
}

// The op code as a compile-time constant, so each instance's loop holds one op, not a switch
// per element: tries OP, then OP + 1, ... up to LAST.
template <int OP, int LAST>
__device__ void unary_dense_from(int op, const float* x, float* y, long long n, float p0, float p1) {
    if (op == OP) {
        dense_f32<true>(x, x, y, n, [=](float e, float) { return unary_apply<float>(OP, e, p0, p1); });
    } else if constexpr (OP < LAST) {
        unary_dense_from<OP + 1, LAST>(op, x, y, n, p0, p1);
    }
}

template <int OP, int LAST>
__device__ void binary_dense_from(int op, const float* a, const float* b, float* out, long long n) {
    if (op == OP) {
        dense_f32<false>(a, b, out, n, [](float u, float v) { return binary_apply<float>(OP, u, v); });
    } else if constexpr (OP < LAST) {
        binary_dense_from<OP + 1, LAST>(op, a, b, out, n);
    }
}

// ---------------------------------------------------------------- fill, arange, copies

extern "C" __global__ void pmx_fill(void* dst, int dtype, Layout L, long long n, double value) {
    GRID_STRIDE(i, n) {
        long long off[1];
        layout_offsets<1>(L, i, off);
        store_as<double>(dst, dtype, off[0], value);
    }
}

extern "C" __global__ void pmx_arange(void* dst, int dtype, long long n, double start, double step) {
    GRID_STRIDE(i, n) store_as<double>(dst, dtype, i, start + i * step);
}

// Same dtype: bit for bit, so int64 and float64 copy exactly.
extern "C" __global__ void pmx_copy_bits(const void* src, void* dst, Layout L, long long n, int size) {
    GRID_STRIDE(i, n) {
        long long off[2];
        layout_offsets<2>(L, i, off);
        copy_bits(src, off[0], dst, off[1], size);
    }
}

template <typename T>
__device__ void convert(const void* src, int sd, void* dst, int dd, const Layout& L, long long n) {
    GRID_STRIDE(i, n) {
        long long off[2];
        layout_offsets<2>(L, i, off);
        store_as<T>(dst, dd, off[1], load_as<T>(src, sd, off[0]));
    }
}
#define CONVERT(T) convert<T>(src, sd, dst, dd, L, n)
FLOAT_AND_DOUBLE(pmx_convert, (const void* src, int sd, void* dst, int dd, Layout L, long long n), CONVERT)

// ---------------------------------------------------------------- unary

template <typename T>
__device__ void unary(int op, const void* x, int xd, void* y, int yd, const Layout& L, long long n, double p0, double p1) {
    GRID_STRIDE(i, n) {
        long long off[2];
        layout_offsets<2>(L, i, off);
        store_as<T>(y, yd, off[1], unary_apply<T>(op, load_as<T>(x, xd, off[0]), (T)p0, (T)p1));
    }
}
#define UNARY(T) unary<T>(op, x, xd, y, yd, L, n, p0, p1)
FLOAT_AND_DOUBLE(pmx_unary, (int op, const void* x, int xd, void* y, int yd, Layout L, long long n, double p0, double p1), UNARY)

extern "C" __global__ void pmx_unary_dense_f32(int op, const float* x, float* y, long long n, float p0, float p1) {
    unary_dense_from<NEG, LOGICAL_NOT>(op, x, y, n, p0, p1);
}

// gradIn = gradOut * f'(x), and 0 wherever f' is 0 (even for an infinite gradOut), as the CPU.
template <typename T>
__device__ void unary_backward(int op, const void* x, int xd, const void* y, int yd, const void* g, int gd,
                               void* gi, int gid, const Layout& L, long long n, double p0, double p1) {
    GRID_STRIDE(i, n) {
        long long off[4];
        layout_offsets<4>(L, i, off);
        T d = unary_derivative<T>(op, load_as<T>(x, xd, off[0]), load_as<T>(y, yd, off[1]), (T)p0, (T)p1);
        store_as<T>(gi, gid, off[3], d == 0 ? T(0) : load_as<T>(g, gd, off[2]) * d);
    }
}
#define UNARY_BACKWARD(T) unary_backward<T>(op, x, xd, y, yd, g, gd, gi, gid, L, n, p0, p1)
FLOAT_AND_DOUBLE(pmx_unary_backward, (int op, const void* x, int xd, const void* y, int yd, const void* g, int gd,
                                      void* gi, int gid, Layout L, long long n, double p0, double p1), UNARY_BACKWARD)

// ---------------------------------------------------------------- binary, where

template <typename T>
__device__ void binary(int op, const void* a, int ad, const void* b, int bd, void* out, int od, const Layout& L, long long n) {
    GRID_STRIDE(i, n) {
        long long off[3];
        layout_offsets<3>(L, i, off);
        store_as<T>(out, od, off[2], binary_apply<T>(op, load_as<T>(a, ad, off[0]), load_as<T>(b, bd, off[1])));
    }
}
#define BINARY(T) binary<T>(op, a, ad, b, bd, out, od, L, n)
FLOAT_AND_DOUBLE(pmx_binary, (int op, const void* a, int ad, const void* b, int bd, void* out, int od, Layout L, long long n), BINARY)

extern "C" __global__ void pmx_binary_dense_f32(int op, const float* a, const float* b, float* out, long long n) {
    binary_dense_from<ADD, LOGICAL_OR>(op, a, b, out, n);
}

template <typename T>
__device__ void where(const void* c, int cd, const void* a, int ad, const void* b, int bd, void* out, int od,
                      const Layout& L, long long n) {
    GRID_STRIDE(i, n) {
        long long off[4];
        layout_offsets<4>(L, i, off);
        T v = load_double(c, cd, off[0]) != 0 ? load_as<T>(a, ad, off[1]) : load_as<T>(b, bd, off[2]);
        store_as<T>(out, od, off[3], v);
    }
}
#define WHERE(T) where<T>(c, cd, a, ad, b, bd, out, od, L, n)
FLOAT_AND_DOUBLE(pmx_where, (const void* c, int cd, const void* a, int ad, const void* b, int bd, void* out, int od,
                             Layout L, long long n), WHERE)
