// Indexing along one dim: indexSelect, gather (bit copies), indexAdd and scatterAdd. The adds come
// in two forms: atomic (fast; the order in which repeated indices add up varies from run to run)
// and ordered (Panamax.deterministic: each target element is owned by one thread, which adds its
// sources in the CPU's order, rounding to the target's dtype after every step as the CPU does).
// Layouts are not merged here: `dim` must stay a dim of its own.
#include "common.cuh"

// L over out: operand 0 out, 1 x with its stride along dim zeroed.
extern "C" __global__ void pmx_index_select(const void* x, void* out, const void* index, int indexType, long long indexStride,
                                            Layout L, long long n, int dim, long long xDimStride, int size) {
    GRID_STRIDE(i, n) {
        long long off[2];
        long long j = layout_offsets_at<2>(L, i, off, dim);
        long long at = load_long(index, indexType, j * indexStride);
        copy_bits(x, off[1] + at * xDimStride, out, off[0], size);
    }
}

// L over src: operand 0 src, 1 target with its stride along dim zeroed.
extern "C" __global__ void pmx_index_add_atomic(void* target, int td, const void* src, int sd, const void* index, int indexType,
                                                long long indexStride, Layout L, long long n, int dim, long long tDimStride) {
    GRID_STRIDE(i, n) {
        long long off[2];
        long long j = layout_offsets_at<2>(L, i, off, dim);
        long long at = load_long(index, indexType, j * indexStride);
        atomic_add_as(target, td, off[1] + at * tDimStride, load_double(src, sd, off[0]));
    }
}

// L over target: operand 0 target, 1 src with its stride along dim zeroed; the sources of a
// target row are the j with index[j] == its position, added in increasing j.
extern "C" __global__ void pmx_index_add_ordered(void* target, int td, const void* src, int sd, const void* index, int indexType,
                                                 long long indexStride, long long indexLength, Layout L, long long n, int dim,
                                                 long long sDimStride) {
    GRID_STRIDE(i, n) {
        long long off[2];
        long long position = layout_offsets_at<2>(L, i, off, dim);
        double acc = load_double(target, td, off[0]);
        bool touched = false;
        for (long long j = 0; j < indexLength; j++) {
            if (load_long(index, indexType, j * indexStride) == position) {
                acc = round_to(td, acc + load_double(src, sd, off[1] + j * sDimStride));
                touched = true;
            }
        }
        if (touched) store_as<double>(target, td, off[0], acc);
    }
}

// L over index: operand 0 index, 1 out, 2 x with its stride along dim zeroed.
extern "C" __global__ void pmx_gather(const void* x, void* out, const void* index, int indexType, Layout L, long long n,
                                      long long xDimStride, int size) {
    GRID_STRIDE(i, n) {
        long long off[3];
        layout_offsets<3>(L, i, off);
        copy_bits(x, off[2] + load_long(index, indexType, off[0]) * xDimStride, out, off[1], size);
    }
}

// L over index: operand 0 index, 1 src, 2 target with its stride along dim zeroed.
extern "C" __global__ void pmx_scatter_add_atomic(void* target, int td, const void* src, int sd, const void* index, int indexType,
                                                  Layout L, long long n, long long tDimStride) {
    GRID_STRIDE(i, n) {
        long long off[3];
        layout_offsets<3>(L, i, off);
        atomic_add_as(target, td, off[2] + load_long(index, indexType, off[0]) * tDimStride, load_double(src, sd, off[1]));
    }
}

// L over the index's shape with dim stretched to the target's size: operand 0 target, 1 index
// and 2 src with their strides along dim zeroed. Each thread owns one target element and adds
// the sources whose index names it, in increasing position along dim (the CPU's order).
extern "C" __global__ void pmx_scatter_add_ordered(void* target, int td, const void* src, int sd, const void* index, int indexType,
                                                   Layout L, long long n, int dim, long long indexLength,
                                                   long long iDimStride, long long sDimStride) {
    GRID_STRIDE(i, n) {
        long long off[3];
        long long position = layout_offsets_at<3>(L, i, off, dim);
        double acc = load_double(target, td, off[0]);
        bool touched = false;
        for (long long j = 0; j < indexLength; j++) {
            if (load_long(index, indexType, off[1] + j * iDimStride) == position) {
                acc = round_to(td, acc + load_double(src, sd, off[2] + j * sDimStride));
                touched = true;
            }
        }
        if (touched) store_as<double>(target, td, off[0], acc);
    }
}
