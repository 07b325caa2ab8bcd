// The pointwise part of an LSTM and a GRU step (issue #8), forward and backward, over contiguous
// [B, k·H] rows of one float dtype T, with dev.panamax.backend.cpu.RnnKernels' formulas (see
// Backend#lstmCell and friends): one thread per (row, hidden unit), gates in PyTorch's order
// (LSTM i, f, g, o; GRU r, z, n). Optional outputs and gradients are null pointers.
#include "common.cuh"

// elementwise.cu's SIGMOID
template <typename T>
__device__ __forceinline__ T rnn_sigmoid(T x) {
    return T(1) / (T(1) + exp(-x));
}

// act = (σ(i), σ(f), tanh(g), σ(o)), cNew = σ(f)·c + σ(i)·tanh(g), tanhC = tanh(cNew), h = σ(o)·tanhC.
template <typename T>
__device__ void lstm_cell(const T* gates, const T* c, T* h, T* cNew, T* act, T* tanhC, long long batch, long long hid) {
    GRID_STRIDE(k, batch * hid) {
        long long b = k / hid, j = k - b * hid;
        const T* gr = gates + b * 4 * hid;
        T* ar = act + b * 4 * hid;
        T i = rnn_sigmoid(gr[j]);
        T f = rnn_sigmoid(gr[hid + j]);
        T g = tanh(gr[2 * hid + j]);
        T o = rnn_sigmoid(gr[3 * hid + j]);
        T cn = f * c[k] + i * g;
        T tc = tanh(cn);
        ar[j] = i;
        ar[hid + j] = f;
        ar[2 * hid + j] = g;
        ar[3 * hid + j] = o;
        cNew[k] = cn;
        tanhC[k] = tc;
        h[k] = o * tc;
    }
}
#define LSTM_CELL(T) lstm_cell<T>((const T*)gates, (const T*)c, (T*)h, (T*)cNew, (T*)act, (T*)tanhC, batch, hid)
FLOAT_AND_DOUBLE(pmx_lstm_cell, (const void* gates, const void* c, void* h, void* cNew, void* act, void* tanhC, long long batch,
                                 long long hid), LSTM_CELL)

// gradC (may be null: zero) and gradH to gradGates [B, 4H] and gradCPrev [B, H] (each may be null).
template <typename T>
__device__ void lstm_cell_backward(const T* act, const T* c, const T* tanhC, const T* gradH, const T* gradC, T* gradGates,
                                   T* gradCPrev, long long batch, long long hid) {
    GRID_STRIDE(k, batch * hid) {
        long long b = k / hid, j = k - b * hid;
        const T* ar = act + b * 4 * hid;
        T i = ar[j], f = ar[hid + j], g = ar[2 * hid + j], o = ar[3 * hid + j];
        T tc = tanhC[k];
        T dh = gradH[k];
        T dc = gradC ? gradC[k] : T(0);
        T dct = dh * o * (T(1) - tc * tc) + dc;
        if (gradGates) {
            T* gr = gradGates + b * 4 * hid;
            gr[j] = dct * g * (i * (T(1) - i));
            gr[hid + j] = dct * c[k] * (f * (T(1) - f));
            gr[2 * hid + j] = dct * i * (T(1) - g * g);
            gr[3 * hid + j] = dh * tc * (o * (T(1) - o));
        }
        if (gradCPrev) gradCPrev[k] = dct * f;
    }
}
#define LSTM_CELL_BACKWARD(T) lstm_cell_backward<T>((const T*)act, (const T*)c, (const T*)tanhC, (const T*)gradH, (const T*)gradC, \
                                                    (T*)gradGates, (T*)gradCPrev, batch, hid)
FLOAT_AND_DOUBLE(pmx_lstm_cell_backward, (const void* act, const void* c, const void* tanhC, const void* gradH, const void* gradC,
                                          void* gradGates, void* gradCPrev, long long batch, long long hid), LSTM_CELL_BACKWARD)

// r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn), hNew = n + z·(h − n); act = (r, z, n).
template <typename T>
__device__ void gru_cell(const T* xw, const T* hw, const T* h, T* hNew, T* act, long long batch, long long hid) {
    GRID_STRIDE(k, batch * hid) {
        long long b = k / hid, j = k - b * hid;
        const T* xr = xw + b * 3 * hid;
        const T* wr = hw + b * 3 * hid;
        T* ar = act + b * 3 * hid;
        T r = rnn_sigmoid(xr[j] + wr[j]);
        T z = rnn_sigmoid(xr[hid + j] + wr[hid + j]);
        T n = tanh(xr[2 * hid + j] + r * wr[2 * hid + j]);
        ar[j] = r;
        ar[hid + j] = z;
        ar[2 * hid + j] = n;
        hNew[k] = n + z * (h[k] - n);
    }
}
#define GRU_CELL(T) gru_cell<T>((const T*)xw, (const T*)hw, (const T*)h, (T*)hNew, (T*)act, batch, hid)
FLOAT_AND_DOUBLE(pmx_gru_cell, (const void* xw, const void* hw, const void* h, void* hNew, void* act, long long batch, long long hid),
                 GRU_CELL)

// gradHNew to gradXw, gradHw [B, 3H] and gradH [B, H] (each may be null).
template <typename T>
__device__ void gru_cell_backward(const T* act, const T* hw, const T* h, const T* gradHNew, T* gradXw, T* gradHw, T* gradH,
                                  long long batch, long long hid) {
    GRID_STRIDE(k, batch * hid) {
        long long b = k / hid, j = k - b * hid;
        const T* ar = act + b * 3 * hid;
        T r = ar[j], z = ar[hid + j], n = ar[2 * hid + j];
        T g = gradHNew[k];
        if (gradH) gradH[k] = g * z;
        if (!gradXw && !gradHw) continue;
        T hn = hw[b * 3 * hid + 2 * hid + j];
        T dnPre = g * (T(1) - z) * (T(1) - n * n);
        T drPre = dnPre * hn * (r * (T(1) - r));
        T dzPre = g * (h[k] - n) * (z * (T(1) - z));
        if (gradXw) {
            T* xr = gradXw + b * 3 * hid;
            xr[j] = drPre;
            xr[hid + j] = dzPre;
            xr[2 * hid + j] = dnPre;
        }
        if (gradHw) {
            T* wr = gradHw + b * 3 * hid;
            wr[j] = drPre;
            wr[hid + j] = dzPre;
            wr[2 * hid + j] = dnPre * r;
        }
    }
}
#define GRU_CELL_BACKWARD(T) gru_cell_backward<T>((const T*)act, (const T*)hw, (const T*)h, (const T*)gradHNew, (T*)gradXw, \
                                                  (T*)gradHw, (T*)gradH, batch, hid)
FLOAT_AND_DOUBLE(pmx_gru_cell_backward, (const void* act, const void* hw, const void* h, const void* gradHNew, void* gradXw,
                                         void* gradHw, void* gradH, long long batch, long long hid), GRU_CELL_BACKWARD)
