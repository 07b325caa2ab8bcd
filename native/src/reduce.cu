// Reductions over any set of dims (sum, prod, max, min) and arg-max/min along one dim.
//
// The caller splits the dims into kept ones (one output each) and reduced ones, merging dense
// runs. Few long reductions run one block per (output, chunk) and combine the chunks' partials
// in order; many short ones run one thread per output. Either way every output is combined in
// an order fixed by the shape alone, so the bits never depend on timing. Floating reductions
// accumulate in double, integer ones exactly in 64 bits (wrapping like Java's long).
#include "common.cuh"

// dev.panamax.backend.ReduceOp, by ordinal
enum ReduceOpCode { SUM = 0, PROD = 1, MAX = 2, MIN = 3 };

__device__ __forceinline__ double red_identity(int op, double) {
    return op == SUM ? 0.0 : op == PROD ? 1.0 : op == MAX ? -INFINITY : INFINITY;
}

__device__ __forceinline__ long long red_identity(int op, long long) {
    return op == SUM ? 0 : op == PROD ? 1 : op == MAX ? (long long)0x8000000000000000ULL : 0x7fffffffffffffffLL;
}

__device__ __forceinline__ double red_combine(int op, double a, double b) {
    switch (op) {
        case SUM: return a + b;
        case PROD: return a * b;
        case MAX: return java_max(a, b);
        default: return java_min(a, b);
    }
}

__device__ __forceinline__ long long red_combine(int op, long long a, long long b) {
    switch (op) {
        case SUM: return (long long)((unsigned long long)a + (unsigned long long)b);
        case PROD: return (long long)((unsigned long long)a * (unsigned long long)b);
        case MAX: return a > b ? a : b;
        default: return a < b ? a : b;
    }
}

__device__ __forceinline__ double red_load(const void* x, int xd, long long i, double) { return load_double(x, xd, i); }
__device__ __forceinline__ long long red_load(const void* x, int xd, long long i, long long) { return load_long(x, xd, i); }
__device__ __forceinline__ void red_store(void* out, int od, long long i, double v) { store_as<double>(out, od, i, v); }
__device__ __forceinline__ void red_store(void* out, int od, long long i, long long v) { store_long(out, od, i, v); }

// Reduces elements [from, to) of output o's reduced index space, each thread taking every
// blockDim-th one, then the block's threads in a fixed tree. Returns the result to every thread.
template <typename A>
__device__ A block_reduce_range(int op, const void* x, int xd, long long base, const Layout& red,
                                long long from, long long to) {
    __shared__ A s[PMX_THREADS];
    A acc = red_identity(op, A());
    for (long long r = from + threadIdx.x; r < to; r += blockDim.x) {
        long long off[1];
        layout_offsets<1>(red, r, off);
        acc = red_combine(op, acc, red_load(x, xd, base + off[0], A()));
    }
    s[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) s[threadIdx.x] = red_combine(op, s[threadIdx.x], s[threadIdx.x + w]);
        __syncthreads();
    }
    A result = s[0];
    __syncthreads();
    return result;
}

// One block per (output, chunk). With one chunk the block writes the output, else its partial.
template <typename A>
__device__ void reduce_blocks(int op, const void* x, int xd, void* out, int od, const Layout& kept, long long outputs,
                              const Layout& red, long long perOutput, long long chunkLen, int chunks, A* partial) {
    for (long long b = blockIdx.x; b < outputs * chunks; b += gridDim.x) {
        long long o = b / chunks;
        long long c = b % chunks;
        long long off[2];
        layout_offsets<2>(kept, o, off);
        long long from = c * chunkLen;
        long long to = from + chunkLen < perOutput ? from + chunkLen : perOutput;
        A v = block_reduce_range<A>(op, x, xd, off[0], red, from, to);
        if (threadIdx.x == 0) {
            if (chunks == 1) red_store(out, od, off[1], v);
            else partial[b] = v;
        }
    }
}

// Combines each output's chunk partials in chunk order.
template <typename A>
__device__ void reduce_partials(int op, const A* partial, int chunks, void* out, int od, const Layout& kept, long long outputs) {
    GRID_STRIDE(o, outputs) {
        long long off[2];
        layout_offsets<2>(kept, o, off);
        A acc = red_identity(op, A());
        for (int c = 0; c < chunks; c++) acc = red_combine(op, acc, partial[o * chunks + c]);
        red_store(out, od, off[1], acc);
    }
}

// One thread per output, sequential over its reduced elements.
template <typename A>
__device__ void reduce_threads(int op, const void* x, int xd, void* out, int od, const Layout& kept, long long outputs,
                               const Layout& red, long long perOutput) {
    GRID_STRIDE(o, outputs) {
        long long off[2];
        layout_offsets<2>(kept, o, off);
        A acc = red_identity(op, A());
        for (long long r = 0; r < perOutput; r++) {
            long long roff[1];
            layout_offsets<1>(red, r, roff);
            acc = red_combine(op, acc, red_load(x, xd, off[0] + roff[0], A()));
        }
        red_store(out, od, off[1], acc);
    }
}

// _f: floating accumulation (double); _i: integer input and output (exact 64-bit)
#define ACC_KINDS(name, params, call)                                   \
    extern "C" __global__ void name##_f params { call(double); }        \
    extern "C" __global__ void name##_i params { call(long long); }

#define REDUCE_BLOCKS(A) reduce_blocks<A>(op, x, xd, out, od, kept, outputs, red, perOutput, chunkLen, chunks, (A*)partial)
ACC_KINDS(pmx_reduce_blocks, (int op, const void* x, int xd, void* out, int od, Layout kept, long long outputs, Layout red,
                              long long perOutput, long long chunkLen, int chunks, void* partial), REDUCE_BLOCKS)

#define REDUCE_PARTIALS(A) reduce_partials<A>(op, (const A*)partial, chunks, out, od, kept, outputs)
ACC_KINDS(pmx_reduce_partials, (int op, const void* partial, int chunks, void* out, int od, Layout kept, long long outputs),
          REDUCE_PARTIALS)

#define REDUCE_THREADS(A) reduce_threads<A>(op, x, xd, out, od, kept, outputs, red, perOutput)
ACC_KINDS(pmx_reduce_threads, (int op, const void* x, int xd, void* out, int od, Layout kept, long long outputs, Layout red,
                               long long perOutput), REDUCE_THREADS)

// Max or min along one dim with the first index where it occurs; a NaN wins and stops the scan.
// L: the values' shape (x's with dim of size 1) for x, values and indices.
extern "C" __global__ void pmx_argreduce(int op, const void* x, int xd, void* values, int vd, long long* indices, Layout L,
                                         long long outputs, long long n, long long step, int integral) {
    GRID_STRIDE(o, outputs) {
        long long off[3];
        layout_offsets<3>(L, o, off);
        long long best = 0;
        if (integral) {
            long long bestValue = load_long(x, xd, off[0]);
            for (long long i = 1; i < n; i++) {
                long long v = load_long(x, xd, off[0] + i * step);
                if (op == MAX ? v > bestValue : v < bestValue) {
                    best = i;
                    bestValue = v;
                }
            }
            store_long(values, vd, off[1], bestValue);
        } else {
            double bestValue = load_double(x, xd, off[0]);
            for (long long i = 1; i < n && bestValue == bestValue; i++) {
                double v = load_double(x, xd, off[0] + i * step);
                if (v != v || (op == MAX ? v > bestValue : v < bestValue)) {
                    best = i;
                    bestValue = v;
                }
            }
            store_as<double>(values, vd, off[1], bestValue);
        }
        indices[off[2]] = best;
    }
}
