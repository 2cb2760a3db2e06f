// One Adam step (torch.optim.Adam, coupled L2 decay) over a parameter group [0, len) of the ParamArena,
// the CUDA twin of tensor's AdamCpu and bit-identical to it: the same fused multiply-adds in the same
// order, IEEE division and square root (__fdiv_rn, __fsqrt_rn), and the step-dependent constants
// (stepSize = lr/(1-b1^t), invSqrtBc2 = 1/sqrt(1-b2^t), 1-b1, 1-b2) formed in double on the host
// exactly as AdamCpu forms them.
//   adam_step_f32(p, g, m, v, len, b1, omb1, b2, omb2, eps, wd, stepSize, invSqrtBc2)
//     g' = fma(p, wd, g); m = fma(g', 1-b1, m*b1); v = fma(g'*(1-b2), g', v*b2)
//     p  = fma(m / fma(sqrt(v), invSqrtBc2, eps), -stepSize, p)
// Launch: 1-D grid-stride, 256 threads (LaunchConfig.elementwise). The name ends in _step, not _forward:
// an optimiser has no backward. Java launcher: dev.mtdtl.cuda.AdamCuda.

extern "C" __global__ void adam_step_f32(float* __restrict__ p, const float* __restrict__ g, float* __restrict__ m,
                                         float* __restrict__ v, long long len, float b1, float omb1, float b2, float omb2,
                                         float eps, float wd, float stepSize, float invSqrtBc2) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < len; i += (long long)gridDim.x * blockDim.x) {
        float pi = p[i];
        float gi = __fmaf_rn(pi, wd, g[i]);
        float mi = __fmaf_rn(gi, omb1, __fmul_rn(m[i], b1));
        float vi = __fmaf_rn(__fmul_rn(gi, omb2), gi, __fmul_rn(v[i], b2));
        float denom = __fmaf_rn(__fsqrt_rn(vi), invSqrtBc2, eps);
        m[i] = mi;
        v[i] = vi;
        p[i] = __fmaf_rn(__fdiv_rn(mi, denom), -stepSize, pi);
    }
}
