// Inverted dropout with the counter-based mask of tensor's DropoutCpu, bit for bit.
//   dropout_forward_f32 (y, mask, x, len, scale, threshold, seed):
//       keep_i = bits24(mix(seed), i) >= threshold;  mask[i] = scale * keep_i;  y[i] = x[i] * mask[i]
//       bits24(s0, i) = mix(s0 + (i + 1) * 0x9E3779B97F4A7C15) >> 40   (SplitMix64 finaliser, unsigned 64-bit)
//   dropout_backward_f32(dx, dy, mask, len): dx[i] = dy[i] * mask[i]
// scale = (float)(1/(1-p)) and threshold = ceil(p * 2^24) are computed on the host exactly as DropoutCpu
// does; p == 0 gives threshold 0, so every element is kept with scale 1 (y = x * 1 = x bitwise).
// Java's long arithmetic wraps modulo 2^64 and >>> is a logical shift, the same as unsigned long long here,
// so the GPU mask equals the CPU mask for every (seed, i).
// Launch: 1-D grid-stride, 256 threads (LaunchConfig.elementwise). Java launcher: dev.mtdtl.cuda.DropoutCuda.

__device__ __forceinline__ unsigned long long splitmix_mix(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

extern "C" __global__ void dropout_forward_f32(float* __restrict__ y, float* __restrict__ mask, const float* __restrict__ x,
                                               long long len, float scale, long long threshold, long long seed) {
    const unsigned long long s0 = splitmix_mix((unsigned long long)seed);
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < len; i += (long long)gridDim.x * blockDim.x) {
        unsigned long long bits = splitmix_mix(s0 + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ULL) >> 40;
        float m = (long long)bits >= threshold ? scale : 0.f;   // scale * 1 or scale * 0, as on the CPU
        mask[i] = m;
        y[i] = __fmul_rn(x[i], m);
    }
}

extern "C" __global__ void dropout_backward_f32(float* __restrict__ dx, const float* __restrict__ dy,
                                                const float* __restrict__ mask, long long len) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < len; i += (long long)gridDim.x * blockDim.x) {
        dx[i] = __fmul_rn(dy[i], mask[i]);
    }
}
