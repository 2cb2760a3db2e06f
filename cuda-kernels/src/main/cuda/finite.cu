// Finiteness check of a flat float array: the trainer's per-step "is any gradient NaN or Inf" question,
// answered on the device so that the host reads back one int for all parameters instead of every gradient.
//   finite_flag_f32(flag, x, len): *flag |= 1 if any x[i] is NaN or +-Inf; *flag is left alone otherwise.
// Several launches (one per parameter tensor) may OR into the same flag before one read-back; the host
// zeroes it first. Integer OR is exact and order-free, so the answer is deterministic.
// Launch: 1-D grid-stride loop, 256 threads, grid from LaunchConfig.elementwise(len).
// Java launcher: dev.mtdtl.cuda.FiniteCuda.

extern "C" __global__ void finite_flag_f32(int* __restrict__ flag, const float* __restrict__ x, long long len) {
    int bad = 0;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < len; i += (long long)gridDim.x * blockDim.x) {
        // exponent bits all ones: NaN or Inf (no isfinite(), which fast-math builds may fold away)
        bad |= (__float_as_uint(x[i]) & 0x7f800000u) == 0x7f800000u;
    }
    bad = __syncthreads_or(bad);
    if (threadIdx.x == 0 && bad) {
        atomicOr(flag, 1);
    }
}
