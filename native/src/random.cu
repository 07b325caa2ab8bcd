// Random fills from Philox4x32-10 with dev.panamax.backend.Philox's counter mapping: element i
// of a fill is a pure function of (seed, offset + i), so the GPU draws the numbers the CPU does.
// (Built with --fmad=false, so no multiply-add is fused where Java rounds twice.)
#include "common.cuh"
#include "philox.cuh"

// dev.panamax.backend.RandomKind, by ordinal
enum RandomKindCode { UNIFORM = 0, NORMAL = 1, INTEGER = 2, BERNOULLI = 3 };

__device__ double philox_sample(int kind, unsigned long long seed, unsigned long long counter, double p0, double p1) {
    unsigned int r[4];
    philox_block(seed, counter, r);
    double u = uniform53(r[0], r[1]);
    switch (kind) {
        case UNIFORM: return p0 + (p1 - p0) * u;
        case INTEGER: return floor(p0 + (p1 - p0) * u);
        case BERNOULLI: return u < p0 ? 1 : 0;
        default: {  // NORMAL: Box-Muller from one block
            double u1 = 1.0 - u;  // (0, 1]: log is finite
            double u2 = uniform53(r[2], r[3]);
            return p0 + p1 * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        }
    }
}

// Fills a contiguous dst: element i gets the sample of counter offset + i.
extern "C" __global__ void pmx_random(void* dst, int dtype, long long n, int kind, unsigned long long seed,
                                      unsigned long long offset, double p0, double p1) {
    GRID_STRIDE(i, n) store_as<double>(dst, dtype, i, philox_sample(kind, seed, offset + i, p0, p1));
}
