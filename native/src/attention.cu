// Fused scaled dot-product attention (Backend#attention, backend.cuda.CudaAttention), float32, in
// the FlashAttention-2 order: the [L, S] scores never reach global memory. A query (or, in the
// backward's dK/dV pass, a key) row belongs to a group of `tpr` adjacent lanes of one warp; each lane
// holds ATT_CHUNK of its elements in registers, in runs of 4 interleaved across the group (slot c of
// a lane is element ((c / 4)·tpr + lane)·4 + c % 4), so head sizes up to ATT_CHUNK·32 fit. The block's
// key (or query) rows are staged in shared memory one tile at a time, each row padded to a multiple
// of 4 floats with zeros, and read as float4: every row group of a warp reads the same tile row, which
// shared memory broadcasts, and the lanes of a group read adjacent 16 bytes, so one load feeds four
// fused multiply-adds without bank conflicts. Dot products are summed across the group with
// shuffles. Causal: key j is hidden from query i < j (top-left aligned, as PyTorch's is_causal).
// Explicit fmaf keeps fused multiply-adds under the build's --fmad=false.
#include "common.cuh"

#define ATT_CHUNK 32
// Keys scored together in the forward before one rescale of its accumulator.
#define ATT_GROUP 8

// The dynamic shared memory of every kernel here, declared as float4 for its 16-byte alignment.
extern __shared__ float4 att_staged[];

// A staged row's length in shared memory: size rounded up to whole float4s.
__device__ __forceinline__ int att_padded(int size) { return (size + 3) & ~3; }

// The element held in slot c of a lane.
__device__ __forceinline__ int att_element(int c, int tpr, int lane) { return ((c >> 2) * tpr + lane) * 4 + (c & 3); }

// Σ over the row's tpr lanes (a power of two dividing 32); every lane gets the sum.
__device__ __forceinline__ float att_row_sum(float v, int tpr) {
    for (int off = tpr >> 1; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
    return v;
}

// Loads the row's elements (times `scale`) into registers, zero past `size` or for an absent row.
__device__ __forceinline__ void att_load_row(float* r, const float* row, int size, int tpr, int lane, bool present, float scale) {
#pragma unroll
    for (int c = 0; c < ATT_CHUNK; c++) {
        int e = att_element(c, tpr, lane);
        r[c] = present && e < size ? row[e] * scale : 0.f;
    }
}

__device__ __forceinline__ void att_zero(float* r) {
#pragma unroll
    for (int c = 0; c < ATT_CHUNK; c++) r[c] = 0.f;
}

__device__ __forceinline__ void att_store_row(float* row, const float* r, int size, int tpr, int lane, float scale) {
#pragma unroll
    for (int c = 0; c < ATT_CHUNK; c++) {
        int e = att_element(c, tpr, lane);
        if (e < size) row[e] = r[c] * scale;
    }
}

// The group's dot product of registers r with the staged row t of `padded` floats.
__device__ __forceinline__ float att_dot(const float* r, const float* t, int padded, int tpr, int lane) {
    float4 part = make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
    for (int c = 0; c < ATT_CHUNK; c += 4) {
        int e = att_element(c, tpr, lane);
        if (e < padded) {
            float4 x = *reinterpret_cast<const float4*>(t + e);
            part.x = fmaf(r[c], x.x, part.x);
            part.y = fmaf(r[c + 1], x.y, part.y);
            part.z = fmaf(r[c + 2], x.z, part.z);
            part.w = fmaf(r[c + 3], x.w, part.w);
        }
    }
    return att_row_sum((part.x + part.y) + (part.z + part.w), tpr);
}

// r += w · t for the staged row t of `padded` floats.
__device__ __forceinline__ void att_axpy(float* r, float w, const float* t, int padded, int tpr, int lane) {
#pragma unroll
    for (int c = 0; c < ATT_CHUNK; c += 4) {
        int e = att_element(c, tpr, lane);
        if (e < padded) {
            float4 x = *reinterpret_cast<const float4*>(t + e);
            r[c] = fmaf(w, x.x, r[c]);
            r[c + 1] = fmaf(w, x.y, r[c + 1]);
            r[c + 2] = fmaf(w, x.z, r[c + 2]);
            r[c + 3] = fmaf(w, x.w, r[c + 3]);
        }
    }
}

// Stages rows [first, first + n) of a contiguous [*, size] matrix (times scale) in shared memory,
// each padded with zeros to att_padded(size) floats.
__device__ __forceinline__ void att_stage(float* dst, const float* src, long long first, int n, int size, float scale) {
    const float* from = src + first * size;
    int padded = att_padded(size);
    for (int x = threadIdx.x; x < n * padded; x += blockDim.x) {
        int row = x / padded;
        int col = x - row * padded;
        dst[x] = col < size ? from[(long long)row * size + col] * scale : 0.f;
    }
}

// Where a thread works: its batch, its row (one of blockDim.x / tpr per block, past the end for the
// last block's spare groups) and its lane in the row's group.
struct AttPlace {
    long long batch, row;
    int lane;
    bool present;
};

__device__ __forceinline__ AttPlace att_place(long long rows, int tpr) {
    int perBlock = blockDim.x / tpr;
    long long blocksPerBatch = (rows + perBlock - 1) / perBlock;
    AttPlace p;
    p.batch = blockIdx.x / blocksPerBatch;
    p.row = (blockIdx.x % blocksPerBatch) * perBlock + threadIdx.x / tpr;
    p.lane = threadIdx.x % tpr;
    p.present = p.row < rows;
    return p;
}

// The first row of this thread's block (the same for every thread of it).
__device__ __forceinline__ long long att_block_first(long long rows, int tpr) {
    int perBlock = blockDim.x / tpr;
    long long blocksPerBatch = (rows + perBlock - 1) / perBlock;
    return (blockIdx.x % blocksPerBatch) * perBlock;
}

// The keys the block's queries see: all of them, or with causal those up to its last query.
__device__ __forceinline__ long long att_keys_seen(long long queries, long long keys, int tpr, int causal) {
    long long lastRow = min(queries, att_block_first(queries, tpr) + blockDim.x / tpr) - 1;
    return causal ? min(keys, lastRow + 1) : keys;
}

// Stages key rows [first, first + n) of k and v once every thread is done with the previous tile.
__device__ __forceinline__ void att_stage_keys(float* ks, float* vs, const float* k, const float* v, long long first, int n,
                                               int keySize, int valueSize) {
    __syncthreads();
    att_stage(ks, k, first, n, keySize, 1.f);
    att_stage(vs, v, first, n, valueSize, 1.f);
    __syncthreads();
}

// out [B, L, Ev] = softmax(scale · q kᵀ) v and lse [B, L] (-inf and a zero row where no key is seen),
// with an online softmax over key tiles of `tile` rows. Dynamic shared memory: tile · (E + Ev) floats, E and Ev padded to multiples of 4.
extern "C" __global__ void pmx_flash_attention(const float* q, const float* k, const float* v, float* out, float* lse,
                                               long long queries, long long keys, int keySize, int valueSize, int tpr, int tile,
                                               float scale, int causal) {
    int kPadded = att_padded(keySize), vPadded = att_padded(valueSize);
    float* ks = reinterpret_cast<float*>(att_staged);
    float* vs = ks + tile * kPadded;
    AttPlace at = att_place(queries, tpr);
    long long b = at.batch, i = at.row;
    float qr[ATT_CHUNK], acc[ATT_CHUNK];
    att_load_row(qr, q + (b * queries + i) * keySize, keySize, tpr, at.lane, at.present, scale);
    att_zero(acc);
    float m = -INFINITY, l = 0.f;
    long long end = att_keys_seen(queries, keys, tpr, causal);
    for (long long j0 = 0; j0 < end; j0 += tile) {
        int n = (int)min((long long)tile, end - j0);
        att_stage_keys(ks, vs, k, v, b * keys + j0, n, keySize, valueSize);
        // scores in groups of ATT_GROUP keys: one rescale of the accumulator per group
        for (int g = 0; g < n; g += ATT_GROUP) {
            float s[ATT_GROUP];
            float groupMax = -INFINITY;
#pragma unroll
            for (int jj = 0; jj < ATT_GROUP; jj++) {
                s[jj] = -INFINITY;
                if (g + jj < n) {
                    float dot = att_dot(qr, ks + (g + jj) * kPadded, kPadded, tpr, at.lane);
                    if (!(causal && j0 + g + jj > i)) s[jj] = dot;
                    groupMax = fmaxf(groupMax, s[jj]);
                }
            }
            float mNew = fmaxf(m, groupMax);
            if (mNew != -INFINITY) {  // else nothing is seen yet
                float rescale = expf(m - mNew);  // 0 while m is -inf
                l *= rescale;
#pragma unroll
                for (int c = 0; c < ATT_CHUNK; c++) acc[c] *= rescale;
#pragma unroll
                for (int jj = 0; jj < ATT_GROUP; jj++) {
                    if (g + jj < n) {
                        float p = expf(s[jj] - mNew);
                        l += p;
                        att_axpy(acc, p, vs + (g + jj) * vPadded, vPadded, tpr, at.lane);
                    }
                }
                m = mNew;
            }
        }
    }
    if (at.present) {
        att_store_row(out + (b * queries + i) * valueSize, acc, valueSize, tpr, at.lane, l == 0.f ? 0.f : 1.f / l);
        if (at.lane == 0) lse[b * queries + i] = l == 0.f ? -INFINITY : m + logf(l);
    }
}

// delta [rows] = Σ_e gradOut ∘ out, one warp per row.
extern "C" __global__ void pmx_flash_attention_delta(const float* out, const float* gradOut, float* delta, long long rows,
                                                     int valueSize) {
    int warps = blockDim.x / 32;
    for (long long row = (long long)blockIdx.x * warps + threadIdx.x / 32; row < rows; row += (long long)gridDim.x * warps) {
        float part = 0.f;
        for (int e = threadIdx.x % 32; e < valueSize; e += 32) part = fmaf(out[row * valueSize + e], gradOut[row * valueSize + e], part);
        part = att_row_sum(part, 32);
        if (threadIdx.x % 32 == 0) delta[row] = part;
    }
}

// The probability p_ij and score gradient ds_ij = p (dO_i·v_j - delta_i) of one query/key pair, from
// the scaled query (or key) row held in registers and the other side's rows.
struct AttPair {
    float p, ds;
};

__device__ __forceinline__ AttPair att_pair(float dot, float gradDot, float lse, float delta, bool hidden) {
    AttPair r;
    r.p = hidden || lse == -INFINITY ? 0.f : expf(dot - lse);
    r.ds = r.p * (gradDot - delta);
    return r;
}

// gradK [B, S, E] and gradV [B, S, Ev], one key row per lane group, over query tiles of `tile` rows.
// Dynamic shared memory: tile · (E + Ev + 2) floats, E and Ev padded to multiples of 4.
extern "C" __global__ void pmx_flash_attention_grad_kv(const float* q, const float* k, const float* v, const float* gradOut,
                                                       const float* lse, const float* delta, float* gradK, float* gradV,
                                                       long long queries, long long keys, int keySize, int valueSize, int tpr,
                                                       int tile, float scale, int causal) {
    int kPadded = att_padded(keySize), vPadded = att_padded(valueSize);
    float* qs = reinterpret_cast<float*>(att_staged);
    float* gs = qs + tile * kPadded;
    float* ls = gs + tile * vPadded;
    float* ds = ls + tile;
    AttPlace at = att_place(keys, tpr);
    long long b = at.batch, j = at.row;
    float kr[ATT_CHUNK], vr[ATT_CHUNK], gk[ATT_CHUNK], gv[ATT_CHUNK];
    att_load_row(kr, k + (b * keys + j) * keySize, keySize, tpr, at.lane, at.present, 1.f);
    att_load_row(vr, v + (b * keys + j) * valueSize, valueSize, tpr, at.lane, at.present, 1.f);
    att_zero(gk);
    att_zero(gv);
    // queries before the block's first key see none of its keys
    long long start = causal ? min(queries, att_block_first(keys, tpr)) : 0;
    for (long long i0 = start; i0 < queries; i0 += tile) {
        int n = (int)min((long long)tile, queries - i0);
        __syncthreads();
        att_stage(qs, q, b * queries + i0, n, keySize, scale);
        att_stage(gs, gradOut, b * queries + i0, n, valueSize, 1.f);
        for (int x = threadIdx.x; x < n; x += blockDim.x) {
            ls[x] = lse[b * queries + i0 + x];
            ds[x] = delta[b * queries + i0 + x];
        }
        __syncthreads();
        for (int ii = 0; ii < n; ii++) {
            float dot = att_dot(kr, qs + ii * kPadded, kPadded, tpr, at.lane);
            float gradDot = att_dot(vr, gs + ii * vPadded, vPadded, tpr, at.lane);
            AttPair pair = att_pair(dot, gradDot, ls[ii], ds[ii], causal && j > i0 + ii);
            att_axpy(gv, pair.p, gs + ii * vPadded, vPadded, tpr, at.lane);
            att_axpy(gk, pair.ds, qs + ii * kPadded, kPadded, tpr, at.lane);
        }
    }
    if (at.present) {
        att_store_row(gradK + (b * keys + j) * keySize, gk, keySize, tpr, at.lane, 1.f);
        att_store_row(gradV + (b * keys + j) * valueSize, gv, valueSize, tpr, at.lane, 1.f);
    }
}

// gradQ [B, L, E], one query row per lane group, over key tiles of `tile` rows.
// Dynamic shared memory: tile · (E + Ev) floats, E and Ev padded to multiples of 4.
extern "C" __global__ void pmx_flash_attention_grad_q(const float* q, const float* k, const float* v, const float* gradOut,
                                                      const float* lse, const float* delta, float* gradQ, long long queries,
                                                      long long keys, int keySize, int valueSize, int tpr, int tile, float scale,
                                                      int causal) {
    int kPadded = att_padded(keySize), vPadded = att_padded(valueSize);
    float* ks = reinterpret_cast<float*>(att_staged);
    float* vs = ks + tile * kPadded;
    AttPlace at = att_place(queries, tpr);
    long long b = at.batch, i = at.row;
    float qr[ATT_CHUNK], gr[ATT_CHUNK], gq[ATT_CHUNK];
    att_load_row(qr, q + (b * queries + i) * keySize, keySize, tpr, at.lane, at.present, scale);
    att_load_row(gr, gradOut + (b * queries + i) * valueSize, valueSize, tpr, at.lane, at.present, 1.f);
    att_zero(gq);
    float rowLse = at.present ? lse[b * queries + i] : -INFINITY;
    float rowDelta = at.present ? delta[b * queries + i] : 0.f;
    long long end = att_keys_seen(queries, keys, tpr, causal);
    for (long long j0 = 0; j0 < end; j0 += tile) {
        int n = (int)min((long long)tile, end - j0);
        att_stage_keys(ks, vs, k, v, b * keys + j0, n, keySize, valueSize);
        for (int jj = 0; jj < n; jj++) {
            float dot = att_dot(qr, ks + jj * kPadded, kPadded, tpr, at.lane);
            float gradDot = att_dot(gr, vs + jj * vPadded, vPadded, tpr, at.lane);
            AttPair pair = att_pair(dot, gradDot, rowLse, rowDelta, causal && j0 + jj > i);
            att_axpy(gq, pair.ds, ks + jj * kPadded, kPadded, tpr, at.lane);
        }
    }
    if (at.present) att_store_row(gradQ + (b * queries + i) * keySize, gq, keySize, tpr, at.lane, scale);
}
