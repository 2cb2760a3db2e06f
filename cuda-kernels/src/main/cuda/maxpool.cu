// 2x2 max pooling, stride 2, no padding, floor mode (tensor's MaxPoolCpu), NCHW.
//   maxpool_forward_f32 (y, argmax, x, planes, h, w): one thread per output window (planes*HO*WO threads).
//       argmax = flat index h*W + w of the maximum inside its (n, c) plane. Comparison order as on the CPU:
//       top-left vs top-right, bottom-left vs bottom-right, then bottom vs top, each "replace if strictly
//       greater or if NaN": the first maximum in row-major order wins, and the last NaN.
//   maxpool_backward_f32(dx, dy, argmax, planes, h, w): one thread per output window; dx must be zeroed first
//       (the launcher does cuMemsetD32Async). Windows do not overlap, so each dx element gets at most one
//       write: deterministic without atomics, and dx holds exact copies of dy values and zeros.
// Launch: 1-D grid-stride over planes*HO*WO, 256 threads. Java launcher: dev.mtdtl.cuda.MaxPoolCuda.

extern "C" __global__ void maxpool_forward_f32(float* __restrict__ y, int* __restrict__ argmax, const float* __restrict__ x,
                                               int planes, int h, int w) {
    int ho = h / 2, wo = w / 2;
    long long total = (long long)planes * ho * wo;
    for (long long o = blockIdx.x * (long long)blockDim.x + threadIdx.x; o < total; o += (long long)gridDim.x * blockDim.x) {
        long long p = o / ((long long)ho * wo);
        int r = (int)(o - p * ho * wo);
        int oh = r / wo, ow = r - (r / wo) * wo;
        const float* xp = x + p * h * w;
        int k = 2 * oh * w + 2 * ow;
        float tl = xp[k], tr = xp[k + 1];
        int top = (tr > tl) | (tr != tr) ? k + 1 : k;
        float bl = xp[k + w], br = xp[k + w + 1];
        int bot = (br > bl) | (br != br) ? k + w + 1 : k + w;
        float tv = xp[top], bv = xp[bot];
        int best = (bv > tv) | (bv != bv) ? bot : top;
        y[o] = xp[best];
        argmax[o] = best;
    }
}

extern "C" __global__ void maxpool_backward_f32(float* __restrict__ dx, const float* __restrict__ dy,
                                                const int* __restrict__ argmax, int planes, int h, int w) {
    int ho = h / 2, wo = w / 2;
    long long total = (long long)planes * ho * wo;
    for (long long o = blockIdx.x * (long long)blockDim.x + threadIdx.x; o < total; o += (long long)gridDim.x * blockDim.x) {
        long long p = o / ((long long)ho * wo);
        int a = argmax[o];
        if (a >= 0 && a < h * w) dx[p * h * w + a] = dy[o];   // an index outside the plane is dropped, never written elsewhere
    }
}
