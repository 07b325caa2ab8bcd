// 2-D pooling over dense NCHW planes (pointers at plane 0): max (with the flat index of each
// maximum), average, their adaptive forms, their backwards, max unpooling and stochastic
// pooling, with dev.panamax.backend.cpu.PoolKernels' window rules (PoolWindows).
#include "common.cuh"
#include "philox.cuh"

// backend.cuda.PoolLaunch writes the same ints.
struct PoolGeometry {
    int h, w, p, q;
    int kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW;
    int adaptive, unused;
};

// Taps first + t * step for t < taps; taps outside [0, in) fall in the padding.
struct Window {
    int first, taps, step;
};

__device__ __forceinline__ Window window(int o, int in, int out, int kernel, int stride, int pad, int dilation, int adaptive) {
    Window win;
    if (adaptive) {
        win.first = (int)((long long)o * in / out);
        win.taps = (int)(((long long)(o + 1) * in + out - 1) / out) - win.first;
        win.step = 1;
    } else {
        win.first = o * stride - pad;
        win.taps = kernel;
        win.step = dilation;
    }
    return win;
}

__device__ __forceinline__ Window row_window(const PoolGeometry& g, int oh) {
    return window(oh, g.h, g.p, g.kernelH, g.strideH, g.padTop, g.dilationH, g.adaptive);
}

__device__ __forceinline__ Window col_window(const PoolGeometry& g, int ow) {
    return window(ow, g.w, g.q, g.kernelW, g.strideW, g.padLeft, g.dilationW, g.adaptive);
}

__device__ __forceinline__ int floor_div(int a, int b) {
    int q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// The first tap inside the input, and one past the last.
__device__ __forceinline__ int first_valid(const Window& win) {
    return win.first >= 0 ? 0 : (-win.first + win.step - 1) / win.step;
}

__device__ __forceinline__ int end_valid(const Window& win, int in) {
    int last = win.first + (win.taps - 1) * win.step;
    if (last < in) return win.taps;
    int e = floor_div(in - 1 - win.first, win.step) + 1;
    return e > 0 ? e : 0;
}

// Average pooling's divisor factor along one axis (PoolWindows.counts).
__device__ __forceinline__ double window_count(const Window& win, int in, int pad, int includePad) {
    if (includePad) {
        int end = win.first + (win.taps - 1) * win.step + 1;
        return (end < in + pad ? end : in + pad) - win.first;
    }
    return end_valid(win, in) - first_valid(win);
}

// Max over each window in row-major tap order: the first of tied maxima, the last of NaNs.
template <typename T>
__device__ void pool_max(const void* x, int xd, void* y, int yd, long long* indices, const PoolGeometry& g, long long planes) {
    long long outPlane = (long long)g.p * g.q;
    GRID_STRIDE(i, planes * outPlane) {
        long long plane = i / outPlane;
        int oh = (int)(i % outPlane / g.q);
        int ow = (int)(i % g.q);
        Window r = row_window(g, oh), c = col_window(g, ow);
        int r0 = first_valid(r), r1 = end_valid(r, g.h), c0 = first_valid(c), c1 = end_valid(c, g.w);
        long long base = plane * g.h * g.w;
        T acc = T(-INFINITY);
        long long at = (long long)(r.first + r0 * r.step) * g.w + c.first + c0 * c.step;
        for (int t = r0; t < r1; t++) {
            long long row = (long long)(r.first + t * r.step) * g.w;
            for (int u = c0; u < c1; u++) {
                long long pos = row + c.first + u * c.step;
                T v = load_as<T>(x, xd, base + pos);
                if (v > acc || v != v) {
                    acc = v;
                    at = pos;
                }
            }
        }
        store_as<T>(y, yd, i, acc);
        if (indices) indices[i] = at;
    }
}
#define POOL_MAX(T) pool_max<T>(x, xd, y, yd, indices, g, planes)
FLOAT_AND_DOUBLE(pmx_pool_max, (const void* x, int xd, void* y, int yd, long long* indices, PoolGeometry g, long long planes),
                 POOL_MAX)

__device__ __forceinline__ double avg_divisor(const PoolGeometry& g, const Window& r, const Window& c, int includePad,
                                              int divisorOverride) {
    if (divisorOverride != 0) return divisorOverride;
    return window_count(r, g.h, g.padTop, includePad) * window_count(c, g.w, g.padLeft, includePad);
}

extern "C" __global__ void pmx_pool_avg(const void* x, int xd, void* y, int yd, PoolGeometry g, long long planes,
                                        int includePad, int divisorOverride) {
    long long outPlane = (long long)g.p * g.q;
    GRID_STRIDE(i, planes * outPlane) {
        long long plane = i / outPlane;
        int oh = (int)(i % outPlane / g.q);
        int ow = (int)(i % g.q);
        Window r = row_window(g, oh), c = col_window(g, ow);
        long long base = plane * g.h * g.w;
        double acc = 0;
        for (int t = first_valid(r); t < end_valid(r, g.h); t++) {
            long long row = base + (long long)(r.first + t * r.step) * g.w;
            for (int u = first_valid(c); u < end_valid(c, g.w); u++) acc += load_double(x, xd, row + c.first + u * c.step);
        }
        store_as<double>(y, yd, i, acc / avg_divisor(g, r, c, includePad, divisorOverride));
    }
}

// Whether input position `pos` is a valid tap of window `win`.
__device__ __forceinline__ bool is_tap(const Window& win, int pos, int in) {
    int d = pos - win.first;
    if (d < 0 || d % win.step != 0) return false;
    int t = d / win.step;
    return t >= first_valid(win) && t < end_valid(win, in);
}

// The windows (along one axis) that may hold input position pos.
__device__ __forceinline__ void window_range(int pos, int in, int out, int kernel, int stride, int pad, int dilation,
                                             int adaptive, int* lo, int* hi) {
    if (adaptive) {
        *lo = (int)((long long)pos * out / in) - 1;
        *hi = (int)(((long long)(pos + 1) * out + in - 1) / in);
    } else {
        *lo = floor_div(pos + pad - (kernel - 1) * dilation, stride);
        *hi = floor_div(pos + pad, stride);
    }
    if (*lo < 0) *lo = 0;
    if (*hi > out - 1) *hi = out - 1;
}

// One thread per input element gathers the shares of the windows that hold it: no atomics.
extern "C" __global__ void pmx_pool_avg_backward(const void* gy, int gyd, void* gx, int gxd, PoolGeometry g, long long planes,
                                                 int includePad, int divisorOverride) {
    long long inPlane = (long long)g.h * g.w;
    GRID_STRIDE(i, planes * inPlane) {
        long long plane = i / inPlane;
        int h = (int)(i % inPlane / g.w);
        int w = (int)(i % g.w);
        int oh0, oh1, ow0, ow1;
        window_range(h, g.h, g.p, g.kernelH, g.strideH, g.padTop, g.dilationH, g.adaptive, &oh0, &oh1);
        window_range(w, g.w, g.q, g.kernelW, g.strideW, g.padLeft, g.dilationW, g.adaptive, &ow0, &ow1);
        double acc = 0;
        for (int oh = oh0; oh <= oh1; oh++) {
            Window r = row_window(g, oh);
            if (!is_tap(r, h, g.h)) continue;
            for (int ow = ow0; ow <= ow1; ow++) {
                Window c = col_window(g, ow);
                if (!is_tap(c, w, g.w)) continue;
                acc += load_double(gy, gyd, (plane * g.p + oh) * g.q + ow) / avg_divisor(g, r, c, includePad, divisorOverride);
            }
        }
        store_as<double>(gx, gxd, i, acc);
    }
}

// dst[plane][indices[i]] += src[i] (dst zeroed by the caller): maxPool2dBackward, atomically.
extern "C" __global__ void pmx_pool_scatter_atomic(const void* src, int sd, const long long* indices, void* dst, int dd,
                                                   long long planes, long long inPlane, long long outPlane) {
    GRID_STRIDE(i, planes * outPlane) {
        long long plane = i / outPlane;
        atomic_add_as(dst, dd, plane * inPlane + indices[i], load_double(src, sd, i));
    }
}

// The same one plane per thread in index order (deterministic), adding (max pooling's backward)
// or assigning (maxUnpool2d, where the last of repeated indices wins, as on the CPU).
extern "C" __global__ void pmx_pool_scatter_ordered(const void* src, int sd, const long long* indices, void* dst, int dd,
                                                    long long planes, long long inPlane, long long outPlane, int accumulate) {
    GRID_STRIDE(plane, planes) {
        for (long long i = plane * outPlane; i < (plane + 1) * outPlane; i++) {
            long long at = plane * inPlane + indices[i];
            double v = load_double(src, sd, i);
            store_as<double>(dst, dd, at, accumulate ? load_double(dst, dd, at) + v : v);
        }
    }
}

// gx[i] = gy[plane][indices[i]]: maxUnpool2d's backward. gyPlane: elements of a gy plane.
extern "C" __global__ void pmx_unpool_backward(const void* gy, const long long* indices, void* gx, long long planes,
                                               long long gyPlane, long long gxPlane, int size) {
    GRID_STRIDE(i, planes * gxPlane) copy_bits(gy, i / gxPlane * gyPlane + indices[i], gx, i, size);
}

// Stochastic pooling: output i draws u from Philox counter offset + i and takes the first window
// element whose running sum exceeds u * sum (the last positive one if rounding leaves none); an
// all-zero window picks element floor(u * count) of its valid taps.
extern "C" __global__ void pmx_pool_stochastic(const void* x, int xd, void* y, long long* indices, PoolGeometry g,
                                               long long planes, unsigned long long seed, unsigned long long offset, int size) {
    long long outPlane = (long long)g.p * g.q;
    GRID_STRIDE(i, planes * outPlane) {
        long long plane = i / outPlane;
        int oh = (int)(i % outPlane / g.q);
        int ow = (int)(i % g.q);
        Window r = row_window(g, oh), c = col_window(g, ow);
        int r0 = first_valid(r), r1 = end_valid(r, g.h), c0 = first_valid(c), c1 = end_valid(c, g.w);
        long long base = plane * g.h * g.w;
        unsigned int bits[4];
        philox_block(seed, offset + i, bits);
        double u = uniform53(bits[0], bits[1]);
        double total = 0;
        for (int t = r0; t < r1; t++)
            for (int v = c0; v < c1; v++) total += load_double(x, xd, base + (long long)(r.first + t * r.step) * g.w + c.first + v * c.step);
        long long pick = -1;
        if (total > 0) {
            double target = u * total, sum = 0;
            for (int t = r0; t < r1 && !(pick >= 0 && sum > target); t++) {
                for (int v = c0; v < c1; v++) {
                    long long pos = (long long)(r.first + t * r.step) * g.w + c.first + v * c.step;
                    double e = load_double(x, xd, base + pos);
                    if (e > 0) {
                        sum += e;
                        pick = pos;
                        if (sum > target) break;
                    }
                }
            }
        } else {
            int nc = c1 - c0;
            int count = (r1 - r0) * nc;
            int k = (int)(u * count);
            if (k > count - 1) k = count - 1;
            pick = (long long)(r.first + (r0 + k / nc) * r.step) * g.w + c.first + (c0 + k % nc) * c.step;
        }
        copy_bits(x, base + pick, y, i, size);
        indices[i] = pick;
    }
}
