// 2-D convolution, NCHW, zero padding (tensor's Conv2dCpu, PyTorch nn.Conv2d): im2col + SGEMM over the
// whole batch at once. Letters: x (N, C, H, W), w (OC, C, KH, KW), y (N, OC, HO, WO), stride (SH, SW),
// pad (PH, PW); R = C*KH*KW rows of col, Q = N*HO*WO its columns.
//   col  (R, Q):       col[(c*KH + u)*KW + v][(n*HO + i)*WO + j] = xpad[n, c, i*SH + u, j*SW + v]
//   forward:           yt (OC, Q) = w (OC, R) * col;  y[n, o, :] = yt[o, n*HO*WO ...] + b[o]
//   backward-data:     dyt (OC, Q) = permute(dy);  dcol (R, Q) = w^T * dyt;  dx = col2im(dcol)
//   backward-filter:   dw (OC, R) += dyt * col^T  (split-K GEMM, slices added in order);  db[o] += sum_q dyt[o, q]
// Kernels here are the data movement around the GEMMs of sgemm.cu:
//   conv2d_im2col_f32         (col, x, geometry)         grid-stride over R*Q
//   conv2d_col2im_f32         (dx, dcol, geometry)       grid-stride over N*C*H*W; each dx element GATHERS its
//                             KH*KW contributions in fixed (u, v) order: deterministic, no atomics
//   conv2d_bias_forward_f32   (y, yt, b, n, oc, hw)      y = permute(yt) + b, grid-stride over N*OC*HO*WO
//   conv2d_dy_backward_f32    (dyt, dy, n, oc, hw)       dyt = permute(dy) to (OC, N*HO*WO)
//   conv2d_bias_backward_f32  (db, dyt, oc, q)           one block of 256 per channel, double tree: db[o] += sum
// geometry = n, c, h, w, kh, kw, sh, sw, ph, pw, ho, wo. Java launcher: dev.mtdtl.cuda.Conv2dCuda.
// Omitted: implicit GEMM (no col buffer), dilation, groups; these are the first things to try for speed.

#define GEOM int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int ho, int wo

extern "C" __global__ void conv2d_im2col_f32(float* __restrict__ col, const float* __restrict__ x, GEOM) {
    long long q = (long long)n * ho * wo;
    long long len = (long long)c * kh * kw * q;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < len; e += (long long)gridDim.x * blockDim.x) {
        long long r = e / q, qi = e - r * q;   // consecutive threads walk along q: coalesced writes
        int v = (int)(r % kw), u = (int)((r / kw) % kh), ci = (int)(r / ((long long)kw * kh));
        int j = (int)(qi % wo), i = (int)((qi / wo) % ho);
        long long ni = qi / ((long long)wo * ho);
        int hh = i * sh + u - ph, ww = j * sw + v - pw;
        col[e] = (hh >= 0 && hh < h && ww >= 0 && ww < w) ? x[((ni * c + ci) * h + hh) * w + ww] : 0.f;
    }
}

extern "C" __global__ void conv2d_col2im_f32(float* __restrict__ dx, const float* __restrict__ dcol, GEOM) {
    long long q = (long long)n * ho * wo;
    long long len = (long long)n * c * h * w;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < len; e += (long long)gridDim.x * blockDim.x) {
        int ww = (int)(e % w), hh = (int)((e / w) % h), ci = (int)((e / ((long long)w * h)) % c);
        long long ni = e / ((long long)w * h * c);
        float s = 0.f;
        for (int u = 0; u < kh; u++) {
            int ti = hh + ph - u;                       // = i*SH for the output row i that saw (hh) through tap u
            if (ti < 0 || ti % sh != 0 || ti / sh >= ho) continue;
            int i = ti / sh;
            for (int v = 0; v < kw; v++) {
                int tj = ww + pw - v;
                if (tj < 0 || tj % sw != 0 || tj / sw >= wo) continue;
                int j = tj / sw;
                long long r = ((long long)ci * kh + u) * kw + v;
                s += dcol[r * q + (ni * ho + i) * wo + j];
            }
        }
        dx[e] = s;
    }
}

extern "C" __global__ void conv2d_bias_forward_f32(float* __restrict__ y, const float* __restrict__ yt,
                                                   const float* __restrict__ b, int n, int oc, int hw) {
    long long len = (long long)n * oc * hw;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < len; e += (long long)gridDim.x * blockDim.x) {
        int p = (int)(e % hw);
        long long no = e / hw;
        int o = (int)(no % oc);
        long long ni = no / oc;
        y[e] = yt[((long long)o * n + ni) * hw + p] + b[o];
    }
}

extern "C" __global__ void conv2d_dy_backward_f32(float* __restrict__ dyt, const float* __restrict__ dy, int n, int oc, int hw) {
    long long len = (long long)n * oc * hw;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < len; e += (long long)gridDim.x * blockDim.x) {
        int p = (int)(e % hw);
        long long no = e / hw;
        int o = (int)(no % oc);
        long long ni = no / oc;
        dyt[((long long)o * n + ni) * hw + p] = dy[e];
    }
}

extern "C" __global__ void conv2d_bias_backward_f32(float* __restrict__ db, const float* __restrict__ dyt, int oc, long long q) {
    __shared__ double sh[256];
    int o = blockIdx.x, tid = threadIdx.x;
    const float* row = dyt + (long long)o * q;
    double s = 0.0;
    for (long long i = tid; i < q; i += 256) s += (double)row[i];
    sh[tid] = s;
    __syncthreads();
    for (int k = 128; k > 0; k >>= 1) {
        if (tid < k) sh[tid] += sh[tid + k];
        __syncthreads();
    }
    if (tid == 0) db[o] += (float)sh[0];
}
