// Single-precision GEMM, row-major like tensor's Gemm: C = alpha * op(A) * op(B) + beta * C, batched or split-K.
// Letters: M rows of C, N columns, K the reduction; lda/ldb/ldc are the row strides as STORED
// (transA: A stored K x M). beta == 0 writes C without reading it (NaN/garbage in C is ignored, as in BLAS).
//
// Kernels: sgemm_nn_f32, sgemm_nt_f32, sgemm_tn_f32, sgemm_tt_f32 (n = op is identity, t = transposed; the
// names say the layout instead of forward/backward because one GEMM serves every direction), and
// sgemm_splitk_reduce_f32.
//   args: (M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, kPer)
//   blockIdx.z = z offsets A, B, C by z*stride (elements). kPer == 0: plain batch, every z reduces [0, K).
//   kPer > 0: split-K, z reduces [z*kPer, min(K, (z+1)*kPer)) of the SAME A and B (strides 0) into its own
//   slice of C (strideC = M*ldc); sgemm_splitk_reduce_f32 then adds the slices IN ORDER z = 0, 1, ... to
//   the real C: deterministic, unlike atomics.
// Tiling: 64 x 64 tile of C per block of 256 threads, K in steps of 16 through shared memory; each thread
// holds a 4 x 4 register block at rows ty + 16 i and columns tx + 16 j (tx = tid % 16, ty = tid / 16), so a
// warp reads 16 consecutive B columns and broadcasts A: no bank conflicts, coalesced stores.
// Grid: (ceil(N/64), ceil(M/64), batch or splits) from LaunchConfig.gemm. Loads are bounds-checked (zero fill),
// so any M, N, K works. Each C element is summed over k in one fixed order: bits do not vary run to run.
// Omitted: TF32 tensor cores (a later variant in bench/ first), vectorised 16-byte loads, double buffering.
// Java launcher: dev.mtdtl.cuda.GemmCuda.

#define TM 64
#define TN 64
#define TK 16

template <bool TA, bool TB>
__device__ __forceinline__ void sgemm_tile(int M, int N, int K, float alpha, const float* __restrict__ A, int lda,
                                           long long strideA, const float* __restrict__ B, int ldb, long long strideB,
                                           float beta, float* __restrict__ C, int ldc, long long strideC, int kPer) {
    __shared__ float As[TK][TM + 4];     // op(A) tile stored k-major; +4 keeps rows 16-byte aligned and spreads banks
    __shared__ float Bs[TK][TN + 4];
    const int z = blockIdx.z;
    A += z * strideA;
    B += z * strideB;
    C += z * strideC;
    const int k0 = kPer > 0 ? z * kPer : 0;
    const int k1 = kPer > 0 ? min(K, k0 + kPer) : K;
    const int m0 = blockIdx.y * TM, n0 = blockIdx.x * TN;
    const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = 0.f;

    for (int kb = k0; kb < k1; kb += TK) {
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int e = tid + 256 * r;
            // A tile: walk along the stored row so neighbouring threads read neighbouring addresses
            int mm = TA ? (e & 63) : (e >> 4);
            int kk = TA ? (e >> 6) : (e & 15);
            int gm = m0 + mm, gk = kb + kk;
            float av = 0.f;
            if (gm < M && gk < k1) av = TA ? A[(long long)gk * lda + gm] : A[(long long)gm * lda + gk];
            As[kk][mm] = av;
            int nn = TB ? (e >> 4) : (e & 63);
            int kk2 = TB ? (e & 15) : (e >> 6);
            int gn = n0 + nn, gk2 = kb + kk2;
            float bv = 0.f;
            if (gn < N && gk2 < k1) bv = TB ? B[(long long)gn * ldb + gk2] : B[(long long)gk2 * ldb + gn];
            Bs[kk2][nn] = bv;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TK; kk++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = As[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) b[j] = Bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int gm = m0 + ty + 16 * i;
        if (gm >= M) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int gn = n0 + tx + 16 * j;
            if (gn >= N) continue;
            float* cp = C + (long long)gm * ldc + gn;
            *cp = beta == 0.f ? alpha * acc[i][j] : fmaf(beta, *cp, alpha * acc[i][j]);
        }
    }
}

#define SGEMM_ARGS int M, int N, int K, float alpha, const float* __restrict__ A, int lda, long long strideA, \
    const float* __restrict__ B, int ldb, long long strideB, float beta, float* __restrict__ C, int ldc, long long strideC, int kPer
#define SGEMM_PASS M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, kPer

extern "C" __global__ void __launch_bounds__(256) sgemm_nn_f32(SGEMM_ARGS) { sgemm_tile<false, false>(SGEMM_PASS); }
extern "C" __global__ void __launch_bounds__(256) sgemm_nt_f32(SGEMM_ARGS) { sgemm_tile<false, true>(SGEMM_PASS); }
extern "C" __global__ void __launch_bounds__(256) sgemm_tn_f32(SGEMM_ARGS) { sgemm_tile<true, false>(SGEMM_PASS); }
extern "C" __global__ void __launch_bounds__(256) sgemm_tt_f32(SGEMM_ARGS) { sgemm_tile<true, true>(SGEMM_PASS); }

// C[m*ldc + n] = beta*C + sum_{z < splits} part[z*M*N + m*N + n], z in order. 1-D grid-stride over M*N.
extern "C" __global__ void sgemm_splitk_reduce_f32(float* __restrict__ C, const float* __restrict__ part, int M, int N,
                                                   int ldc, int splits, float beta) {
    long long mn = (long long)M * N;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < mn; i += (long long)gridDim.x * blockDim.x) {
        float s = 0.f;
        for (int z = 0; z < splits; z++) s += part[z * mn + i];
        long long m = i / N, n = i - m * N;
        float* cp = C + m * ldc + n;
        *cp = beta == 0.f ? s : fmaf(beta, *cp, s);
    }
}
