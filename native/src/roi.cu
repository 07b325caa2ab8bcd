// torchvision's roi_pool and roi_align over dense x [N, C, H, W] and boxes [K, 5] (batch index,
// x1, y1, x2, y2) in x's dtype T, with box geometry computed in T as torchvision does (and
// dev.panamax.backend.cpu.RoiKernels mirrors). Backwards run one thread per (image, channel)
// plane that visits the image's boxes in order: no atomics, the CPU's order of additions.
#include "common.cuh"

struct RoiSizes {
    int n, c, h, w, k, ph, pw, unused;
};

__device__ __forceinline__ int clamp_to(int v, int size) { return v < 0 ? 0 : v > size ? size : v; }

// ---------------------------------------------------------------- RoI pooling

// The cell bounds of bin (ph, pw) of box k: rows [h0, h1), columns [w0, w1).
template <typename T>
__device__ void roi_pool_bin(const T* box, T scale, const RoiSizes& s, int ph, int pw, int* h0, int* h1, int* w0, int* w1) {
    int startW = (int)round(box[1] * scale);
    int startH = (int)round(box[2] * scale);
    int endW = (int)round(box[3] * scale);
    int endH = (int)round(box[4] * scale);
    T binH = (T)max(endH - startH + 1, 1) / (T)s.ph;
    T binW = (T)max(endW - startW + 1, 1) / (T)s.pw;
    *h0 = clamp_to((int)floor(ph * binH) + startH, s.h);
    *h1 = clamp_to((int)ceil((ph + 1) * binH) + startH, s.h);
    *w0 = clamp_to((int)floor(pw * binW) + startW, s.w);
    *w1 = clamp_to((int)ceil((pw + 1) * binW) + startW, s.w);
}

// Max of each bin; an empty bin gives 0 and argmax -1.
template <typename T>
__device__ void roi_pool(const T* x, const T* boxes, T scale, T* y, long long* argmax, const RoiSizes& s) {
    long long bins = (long long)s.ph * s.pw;
    GRID_STRIDE(i, (long long)s.k * s.c * bins) {
        int k = (int)(i / (s.c * bins));
        int c = (int)(i / bins % s.c);
        int ph = (int)(i % bins / s.pw);
        int pw = (int)(i % s.pw);
        const T* box = boxes + 5LL * k;
        int h0, h1, w0, w1;
        roi_pool_bin(box, scale, s, ph, pw, &h0, &h1, &w0, &w1);
        bool empty = h1 <= h0 || w1 <= w0;
        const T* plane = x + ((long long)box[0] * s.c + c) * s.h * s.w;
        T best = empty ? T(0) : T(-3.402823466e+38);  // -Float.MAX_VALUE, for float64 too
        long long at = -1;
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                T v = plane[(long long)h * s.w + w];
                if (v > best) {
                    best = v;
                    at = (long long)h * s.w + w;
                }
            }
        }
        y[i] = best;
        argmax[i] = at;
    }
}
#define ROI_POOL(T) roi_pool<T>((const T*)x, (const T*)boxes, (T)scale, (T*)y, argmax, s)
FLOAT_AND_DOUBLE(pmx_roi_pool, (const void* x, const void* boxes, double scale, void* y, long long* argmax, RoiSizes s), ROI_POOL)

// gx (zeroed by the caller) gets each non-empty bin's gradient at its argmax.
template <typename T>
__device__ void roi_pool_backward(const T* gy, const T* boxes, const long long* argmax, T* gx, const RoiSizes& s) {
    long long bins = (long long)s.ph * s.pw;
    GRID_STRIDE(p, (long long)s.n * s.c) {
        int n = (int)(p / s.c);
        int c = (int)(p % s.c);
        T* plane = gx + p * s.h * s.w;
        for (int k = 0; k < s.k; k++) {
            if ((int)boxes[5LL * k] != n) continue;
            long long first = ((long long)k * s.c + c) * bins;
            for (long long b = first; b < first + bins; b++) {
                if (argmax[b] >= 0) plane[argmax[b]] = (T)((double)plane[argmax[b]] + (double)gy[b]);
            }
        }
    }
}
#define ROI_POOL_BACKWARD(T) roi_pool_backward<T>((const T*)gy, (const T*)boxes, argmax, (T*)gx, s)
FLOAT_AND_DOUBLE(pmx_roi_pool_backward, (const void* gy, const void* boxes, const long long* argmax, void* gx, RoiSizes s),
                 ROI_POOL_BACKWARD)

// ---------------------------------------------------------------- RoI Align

// A box's sampling grid in T: start, bin size and samples per bin along each axis.
template <typename T>
struct AlignBox {
    T startH, startW, binH, binW;
    int gridH, gridW;
    double count;
};

template <typename T>
__device__ AlignBox<T> align_box(const T* box, T scale, const RoiSizes& s, int samplingRatio, int aligned) {
    AlignBox<T> a;
    T offset = aligned ? T(0.5) : T(0);
    a.startW = box[1] * scale - offset;
    a.startH = box[2] * scale - offset;
    T endW = box[3] * scale - offset;
    T endH = box[4] * scale - offset;
    T roiW = endW - a.startW;
    T roiH = endH - a.startH;
    if (!aligned) {  // torchvision forces malformed boxes to 1x1
        roiW = roiW > T(1) ? roiW : T(1);
        roiH = roiH > T(1) ? roiH : T(1);
    }
    a.binH = roiH / (T)s.ph;
    a.binW = roiW / (T)s.pw;
    a.gridH = samplingRatio > 0 ? samplingRatio : (int)ceil(roiH / (T)s.ph);
    a.gridW = samplingRatio > 0 ? samplingRatio : (int)ceil(roiW / (T)s.pw);
    int cells = a.gridH * a.gridW;
    a.count = cells > 1 ? cells : 1;
    return a;
}

// The four cells and weights of the bilinear sample at (y, x); positions -1 when it lies more
// than one cell outside the map.
template <typename T>
__device__ void bilinear(T y, T x, int h, int w, int pos[4], T weight[4]) {
    if (!(y >= T(-1) && y <= (T)h && x >= T(-1) && x <= (T)w)) {
        for (int j = 0; j < 4; j++) {
            pos[j] = -1;
            weight[j] = 0;
        }
        return;
    }
    y = y > 0 ? y : T(0);
    x = x > 0 ? x : T(0);
    int yLow = (int)y, xLow = (int)x;
    int yHigh = yLow + 1, xHigh = xLow + 1;
    if (yLow >= h - 1) {
        yHigh = yLow = h - 1;
        y = (T)yLow;
    }
    if (xLow >= w - 1) {
        xHigh = xLow = w - 1;
        x = (T)xLow;
    }
    T ly = y - (T)yLow, lx = x - (T)xLow;
    T hy = T(1) - ly, hx = T(1) - lx;
    pos[0] = yLow * w + xLow;
    pos[1] = yLow * w + xHigh;
    pos[2] = yHigh * w + xLow;
    pos[3] = yHigh * w + xHigh;
    weight[0] = hy * hx;
    weight[1] = hy * lx;
    weight[2] = ly * hx;
    weight[3] = ly * lx;
}

// Calls body(pos, weight) for the four cells of every sample of bin (ph, pw).
template <typename T, typename Body>
__device__ void for_samples(const AlignBox<T>& a, const RoiSizes& s, int ph, int pw, Body body) {
    for (int iy = 0; iy < a.gridH; iy++) {
        T yy = a.startH + (T)ph * a.binH + (((T)iy + T(0.5)) * a.binH) / (T)a.gridH;
        for (int ix = 0; ix < a.gridW; ix++) {
            T xx = a.startW + (T)pw * a.binW + (((T)ix + T(0.5)) * a.binW) / (T)a.gridW;
            int pos[4];
            T weight[4];
            bilinear(yy, xx, s.h, s.w, pos, weight);
            for (int j = 0; j < 4; j++) body(pos[j], weight[j]);
        }
    }
}

// Average of each bin's samples; empty samples read cell 0 with weight 0, as torchvision's do.
template <typename T>
__device__ void roi_align(const T* x, const T* boxes, T scale, int samplingRatio, int aligned, T* y, const RoiSizes& s) {
    long long bins = (long long)s.ph * s.pw;
    GRID_STRIDE(i, (long long)s.k * s.c * bins) {
        int k = (int)(i / (s.c * bins));
        int c = (int)(i / bins % s.c);
        int ph = (int)(i % bins / s.pw);
        int pw = (int)(i % s.pw);
        const T* box = boxes + 5LL * k;
        AlignBox<T> a = align_box(box, scale, s, samplingRatio, aligned);
        const T* plane = x + ((long long)box[0] * s.c + c) * s.h * s.w;
        double acc = 0;
        for_samples(a, s, ph, pw, [&](int pos, T weight) { acc += (double)weight * (double)plane[pos > 0 ? pos : 0]; });
        y[i] = (T)(acc / a.count);
    }
}
#define ROI_ALIGN(T) roi_align<T>((const T*)x, (const T*)boxes, (T)scale, samplingRatio, aligned, (T*)y, s)
FLOAT_AND_DOUBLE(pmx_roi_align, (const void* x, const void* boxes, double scale, int samplingRatio, int aligned, void* y,
                                 RoiSizes s), ROI_ALIGN)

// gx (zeroed by the caller) gets each bin's gradient / count spread over its samples' cells.
template <typename T>
__device__ void roi_align_backward(const T* gy, const T* boxes, T scale, int samplingRatio, int aligned, T* gx, const RoiSizes& s) {
    long long bins = (long long)s.ph * s.pw;
    GRID_STRIDE(p, (long long)s.n * s.c) {
        int n = (int)(p / s.c);
        int c = (int)(p % s.c);
        T* plane = gx + p * s.h * s.w;
        for (int k = 0; k < s.k; k++) {
            const T* box = boxes + 5LL * k;
            if ((int)box[0] != n) continue;
            AlignBox<T> a = align_box(box, scale, s, samplingRatio, aligned);
            for (int b = 0; b < bins; b++) {
                double g = (double)gy[((long long)k * s.c + c) * bins + b];
                for_samples(a, s, b / s.pw, b % s.pw, [&](int pos, T weight) {
                    if (pos >= 0) plane[pos] = (T)((double)plane[pos] + g * (double)weight / a.count);
                });
            }
        }
    }
}
#define ROI_ALIGN_BACKWARD(T) roi_align_backward<T>((const T*)gy, (const T*)boxes, (T)scale, samplingRatio, aligned, (T*)gx, s)
FLOAT_AND_DOUBLE(pmx_roi_align_backward, (const void* gy, const void* boxes, double scale, int samplingRatio, int aligned,
                                          void* gx, RoiSizes s), ROI_ALIGN_BACKWARD)
