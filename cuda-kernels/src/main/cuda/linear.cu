// Bias parts of the fully connected layer (tensor's LinearCpu, PyTorch nn.Linear): the products go
// through sgemm.cu. x (N, IN), w (OUT, IN), b (OUT), y (N, OUT).
//   linear_bias_forward_f32 (y, b, n, out):   y[r, j] += b[j], grid-stride over N*OUT
//   linear_bias_backward_f32(db, dy, n, out): db[j] += sum_r dy[r, j], one thread per j summing rows IN ORDER
//                                             in double (N <= a few hundred): deterministic, coalesced across j
// Launch: 256 threads; grid from LaunchConfig.elementwise. Java launcher: dev.mtdtl.cuda.LinearCuda.

extern "C" __global__ void linear_bias_forward_f32(float* __restrict__ y, const float* __restrict__ b, int n, int out) {
    long long len = (long long)n * out;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < len; e += (long long)gridDim.x * blockDim.x) {
        y[e] += b[e % out];
    }
}

extern "C" __global__ void linear_bias_backward_f32(float* __restrict__ db, const float* __restrict__ dy, int n, int out) {
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < out; j += gridDim.x * blockDim.x) {
        double s = 0.0;
        for (int r = 0; r < n; r++) s += (double)dy[(long long)r * out + j];
        db[j] += (float)s;
    }
}
