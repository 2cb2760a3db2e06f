// Row-wise softmax with the KL-divergence and cross-entropy losses (tensor's SoftmaxCpu), N rows of K classes.
//   softmax_forward_f32       (p, logits, n, k)                 p = softmax(logits)
//   softmax_kl_forward_f32    (p, rowLoss, logits, z, n, k)     p, and rowLoss[r] = sum_j z (log z - (l - lse)) in double
//   softmax_ce_forward_f32    (p, rowLoss, logits, target, n, k) p, and rowLoss[r] = -(l[target] - lse)
//   softmax_loss_reduce_f32   (loss, rowLoss, n, invDenom)      loss[0] = (float)(sum_r rowLoss[r] * invDenom)
//   softmax_kl_backward_f32   (dlogits, p, z, n, k, invDenom)   dlogits = (p * sum_j z - z) * invDenom
//   softmax_ce_backward_f32   (dlogits, p, target, n, k, invN)  dlogits = (p - onehot) * invN
// Stability as on the CPU: rows shifted by their max m, exp and the sum in double, lse = m + log(sum).
// Determinism: one warp per row; lane j handles classes j, j+32, ... in order, and the warp combines with
// a fixed xor-shuffle tree; the batch loss is summed by ONE thread over the rows in order (N <= a few
// hundred: cheaper than any tree and trivially reproducible). No atomics.
// Launch: row kernels 1 warp per row, 256-thread blocks (8 rows), grid = ceil(n/8); reduce: 1 thread, 1 block;
// KL backward: 1 warp per row; CE backward: 1-D grid-stride over n*k. Java launcher: dev.mtdtl.cuda.SoftmaxCuda.

__device__ __forceinline__ double warp_sum(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// Writes p for one row and returns lse (every lane gets it).
__device__ double softmax_row(float* p, const float* l, int k, int lane) {
    float m = -INFINITY;
    for (int j = lane; j < k; j += 32) m = fmaxf(m, l[j]);      // the CPU's rowMax: NaN rows give NaN either way
    for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
    double sum = 0.0;
    for (int j = lane; j < k; j += 32) {
        double e = exp((double)l[j] - m);
        sum += e;
        p[j] = (float)e;
    }
    sum = warp_sum(sum);
    double inv = 1.0 / sum;
    for (int j = lane; j < k; j += 32) p[j] = (float)(p[j] * inv);
    return m + log(sum);
}

extern "C" __global__ void softmax_forward_f32(float* __restrict__ p, const float* __restrict__ logits, int n, int k) {
    int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
    if (row >= n) return;
    softmax_row(p + (long long)row * k, logits + (long long)row * k, k, lane);
}

extern "C" __global__ void softmax_kl_forward_f32(float* __restrict__ p, double* __restrict__ rowLoss,
                                                  const float* __restrict__ logits, const float* __restrict__ z, int n, int k) {
    int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
    if (row >= n) return;
    long long off = (long long)row * k;
    double lse = softmax_row(p + off, logits + off, k, lane);
    double loss = 0.0;
    for (int j = lane; j < k; j += 32) {
        double zj = z[off + j];
        if (zj != 0.0) loss += zj * (log(zj) - ((double)logits[off + j] - lse));   // 0 log 0 = 0
    }
    loss = warp_sum(loss);
    if (lane == 0) rowLoss[row] = loss;
}

extern "C" __global__ void softmax_ce_forward_f32(float* __restrict__ p, double* __restrict__ rowLoss,
                                                  const float* __restrict__ logits, const int* __restrict__ target, int n, int k) {
    int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
    if (row >= n) return;
    long long off = (long long)row * k;
    double lse = softmax_row(p + off, logits + off, k, lane);
    if (lane == 0) rowLoss[row] = -((double)logits[off + target[row]] - lse);
}

extern "C" __global__ void softmax_loss_reduce_f32(float* __restrict__ loss, const double* __restrict__ rowLoss,
                                                   int n, double invDenom) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double s = 0.0;
    for (int r = 0; r < n; r++) s += rowLoss[r];
    loss[0] = (float)(s * invDenom);
}

extern "C" __global__ void softmax_kl_backward_f32(float* __restrict__ dlogits, const float* __restrict__ p,
                                                   const float* __restrict__ z, int n, int k, double invDenom) {
    int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
    if (row >= n) return;
    long long off = (long long)row * k;
    double zs = 0.0;
    for (int j = lane; j < k; j += 32) zs += z[off + j];
    zs = warp_sum(zs);
    for (int j = lane; j < k; j += 32) dlogits[off + j] = (float)(((double)p[off + j] * zs - z[off + j]) * invDenom);
}

extern "C" __global__ void softmax_ce_backward_f32(float* __restrict__ dlogits, const float* __restrict__ p,
                                                   const int* __restrict__ target, int n, int k, double invN) {
    long long len = (long long)n * k;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < len; i += (long long)gridDim.x * blockDim.x) {
        int row = (int)(i / k), j = (int)(i - (long long)row * k);
        double d = (double)p[i] - (j == target[row] ? 1.0 : 0.0);
        dlogits[i] = (float)(d * invN);
    }
}
