// Philox4x32-10, exactly as dev.panamax.backend.Philox computes it (random fills, stochastic pooling).
#pragma once

__device__ __forceinline__ void philox_block(unsigned long long seed, unsigned long long counter, unsigned int out[4]) {
    const unsigned int M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    unsigned int c0 = (unsigned int)counter, c1 = (unsigned int)(counter >> 32), c2 = 0, c3 = 0;
    unsigned int k0 = (unsigned int)seed, k1 = (unsigned int)(seed >> 32);
#pragma unroll
    for (int round = 0; round < 10; round++) {
        unsigned long long p0 = (unsigned long long)M0 * c0;
        unsigned long long p1 = (unsigned long long)M1 * c2;
        unsigned int n0 = (unsigned int)(p1 >> 32) ^ c1 ^ k0;
        unsigned int n1 = (unsigned int)p1;
        unsigned int n2 = (unsigned int)(p0 >> 32) ^ c3 ^ k1;
        unsigned int n3 = (unsigned int)p0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += W0;
        k1 += W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

// A double uniform on [0, 1) with 53 random bits, from two outputs (Philox.uniform53).
__device__ __forceinline__ double uniform53(unsigned int hi, unsigned int lo) {
    unsigned long long bits = ((unsigned long long)hi << 21) ^ (unsigned long long)(lo >> 11);
    return (double)(bits & ((1ULL << 53) - 1)) * 0x1.0p-53;
}
