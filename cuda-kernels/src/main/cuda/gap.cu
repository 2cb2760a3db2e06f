// Global average pooling over the S = H*W positions of each (n, c) plane (tensor's GlobalAvgPoolCpu).
//   gap_forward_f32 (y, x, planes, s):  y[p] = (float)(sum_j x[p*S + j] / S), summed in double
//   gap_backward_f32(dx, dy, planes, s): dx[p*S + j] = (float)((double)dy[p] / S)   (written, as on the CPU)
// Forward launch: one warp per plane, blocks of 256 threads (8 planes), grid = ceil(planes/8). Each lane
// sums j = lane, lane+32, ... in order, then a fixed xor-shuffle tree: the result depends only on S,
// never on timing (no atomics). Backward: 1-D grid-stride over planes*S, 256 threads.
// Java launcher: dev.mtdtl.cuda.GlobalAvgPoolCuda.

extern "C" __global__ void gap_forward_f32(float* __restrict__ y, const float* __restrict__ x, int planes, int s) {
    int warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    int lane = threadIdx.x & 31;
    if (warp >= planes) return;                 // whole warps leave together: the shuffles below stay full
    const float* xp = x + (long long)warp * s;
    double acc = 0.0;
    for (int j = lane; j < s; j += 32) acc += (double)xp[j];
    for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
    if (lane == 0) y[warp] = (float)(acc / s);
}

extern "C" __global__ void gap_backward_f32(float* __restrict__ dx, const float* __restrict__ dy, int planes, int s) {
    long long len = (long long)planes * s;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < len; i += (long long)gridDim.x * blockDim.x) {
        dx[i] = (float)((double)dy[i / s] / s);
    }
}
