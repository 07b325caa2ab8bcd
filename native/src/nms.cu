// The device half of torchvision's CUDA nms over float32 boxes [N, 4] (x1, y1, x2, y2): the
// suppression bitmask. Rows are boxes in visiting order (order[rank] = box index, sorted by the
// host); bit j % 64 of word (i, j / 64) is set when box j, visited after box i, has IoU with it
// greater than threshold. The host (backend.cuda.NmsKernels) walks the rows in order. The IoU is
// dev.panamax.backend.cpu.NmsKernel's, operation for operation (no fused multiply-adds).
#include "common.cuh"

__device__ __forceinline__ float nms_area(const float* b) { return (b[2] - b[0]) * (b[3] - b[1]); }

__device__ __forceinline__ float nms_iou(const float* a, const float* b) {
    float w = fmaxf(fminf(b[2], a[2]) - fmaxf(b[0], a[0]), 0.f);
    float h = fmaxf(fminf(b[3], a[3]) - fmaxf(b[1], a[1]), 0.f);
    float inter = w * h;
    return inter / (nms_area(a) + nms_area(b) - inter);
}

// One thread per mask word; words left of a row's own 64-box block are never read, so not written.
extern "C" __global__ void pmx_nms_mask(const float* boxes, const int* order, int n, float threshold, unsigned long long* mask) {
    int words = (n + 63) / 64;
    GRID_STRIDE(t, (long long)n * words) {
        int i = (int)(t / words);
        int word = (int)(t % words);
        if (word < i / 64) continue;
        const float* a = boxes + 4LL * order[i];
        unsigned long long bits = 0;
        int end = min(n, (word + 1) * 64);
        for (int j = max(i + 1, word * 64); j < end; j++) {
            if (nms_iou(a, boxes + 4LL * order[j]) > threshold) bits |= 1ULL << (j % 64);
        }
        mask[t] = bits;
    }
}
