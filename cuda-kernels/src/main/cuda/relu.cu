// ReLU, element-wise on a flat array of any shape (the CUDA twin of tensor's ReluCpu).
//   relu_forward_f32 (y, x, len):      y[i] = max(x[i], 0) with Math.max semantics: NaN propagates, -0 -> +0
//   relu_backward_f32(dx, dy, y, len): dx[i] = y[i] > 0 ? dy[i] : 0   (reads the OUTPUT y, like the CPU op)
// Launch: 1-D grid-stride loop, 256 threads, grid from LaunchConfig.elementwise(len).
// Java launcher: dev.mtdtl.cuda.ReluCuda. Bit-identical to ReluCpu (no rounding happens).
// fmaxf is NOT used on purpose: fmaxf(NaN, 0) = 0, where Java's Math.max returns NaN.

extern "C" __global__ void relu_forward_f32(float* __restrict__ y, const float* __restrict__ x, long long len) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < len; i += (long long)gridDim.x * blockDim.x) {
        float v = x[i];
        y[i] = (v > 0.f || v != v) ? v : 0.f;
    }
}

extern "C" __global__ void relu_backward_f32(float* __restrict__ dx, const float* __restrict__ dy,
                                             const float* __restrict__ y, long long len) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < len; i += (long long)gridDim.x * blockDim.x) {
        dx[i] = y[i] > 0.f ? dy[i] : 0.f;
    }
}
