// Runs the kernels of src/main/cuda on the host emulator (emu.h) against naive double loops, with the
// same launch parameters the Java launchers use (LaunchConfig, GemmCuda, Conv2dCuda, BatchNormCuda,
// SoftmaxCuda). Catches index, tiling and reduction-order mistakes without a GPU; the GPU tests
// (src/test/java, @Tag("gpu")) remain the real check. Build and run: emu_test.sh.
#include "emu.h"
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "../../main/cuda/sgemm.cu"
#include "../../main/cuda/conv2d.cu"
#include "../../main/cuda/batchnorm.cu"
#include "../../main/cuda/softmax_kl.cu"
#include "../../main/cuda/gap.cu"
#include "../../main/cuda/maxpool.cu"
#include "../../main/cuda/linear.cu"

static int failures = 0;
static std::mt19937 rng(1234);
static std::vector<float> uni(size_t n, float lo = -1, float hi = 1) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}
static void check(const char* what, const std::vector<double>& ref, const float* got, double tol) {
    double num = 0, den = 0, worst = 0;
    size_t wi = 0;
    for (size_t i = 0; i < ref.size(); i++) {
        double d = got[i] - ref[i];
        num += d * d;
        den += ref[i] * ref[i];
        if (!(std::fabs(d) <= worst)) { worst = std::fabs(d); wi = i; }
    }
    double rel = den == 0 ? std::sqrt(num) : std::sqrt(num / den);
    bool ok = rel <= tol;
    if (!ok) failures++;
    std::printf("%-44s rel L2 %.2e %s (worst at %zu: %g vs %g)\n", what, rel, ok ? "ok" : "FAIL", wi, (double)got[wi], ref[wi]);
}
static unsigned blocks1d(long long len) { long long b = (len + 255) / 256; return (unsigned)std::max(1LL, std::min(65535LL, b)); }

static void gemm_ref(bool ta, bool tb, int m, int n, int k, double alpha, const float* a, int lda, const float* b, int ldb,
                     double beta, std::vector<double>& c, int ldc) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++) s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
            c[i * ldc + j] = alpha * s + beta * c[i * ldc + j];
        }
}

static void test_sgemm() {
    void (*fs[4])(int, int, int, float, const float*, int, long long, const float*, int, long long, float, float*, int, long long, int) =
        {sgemm_nn_f32, sgemm_nt_f32, sgemm_tn_f32, sgemm_tt_f32};
    int m = 70, n = 45, k = 37;
    for (int t = 0; t < 4; t++) {
        bool ta = t & 2, tb = t & 1;     // nn, nt, tn, tt
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
        auto a = uni((ta ? k : m) * lda), b = uni((tb ? n : k) * ldb), c = uni(m * ldc);
        std::vector<double> ref(c.begin(), c.end());
        gemm_ref(ta, tb, m, n, k, 1.5, a.data(), lda, b.data(), ldb, 0.5, ref, ldc);
        emu_launch(fs[t], emu_dim3{(unsigned)((n + 63) / 64), (unsigned)((m + 63) / 64), 1}, 256,
                   m, n, k, 1.5f, a.data(), lda, 0LL, b.data(), ldb, 0LL, 0.5f, c.data(), ldc, 0LL, 0);
        check((std::string("sgemm ") + (ta ? "T" : "N") + (tb ? "T" : "N")).c_str(), ref, c.data(), 1e-6);
    }
    // split-K as GemmCuda does it: slices with alpha into part (strideC = m*n), then the ordered reduce with beta
    int M = 16, N = 20, K = 600, kPer = 128, splits = (K + kPer - 1) / kPer;
    auto a = uni(M * K), b = uni(N * K), c = uni(M * N);
    std::vector<float> part(splits * M * N, NAN);
    std::vector<double> ref(c.begin(), c.end());
    gemm_ref(false, true, M, N, K, 1.0, a.data(), K, b.data(), K, 1.0, ref, N);
    emu_launch(sgemm_nt_f32, emu_dim3{1, 1, (unsigned)splits}, 256, M, N, K, 1.0f, a.data(), K, 0LL, b.data(), K, 0LL, 0.f,
               part.data(), N, (long long)M * N, kPer);
    emu_launch(sgemm_splitk_reduce_f32, emu_dim3{blocks1d(M * N)}, 256, c.data(), (const float*)part.data(), M, N, N, splits, 1.f);
    check("sgemm NT split-K (5 slices) += C", ref, c.data(), 1e-6);
}

struct G { int n, c, h, w, oc, kh, kw, sh, sw, ph, pw; int ho() const { return (h + 2 * ph - kh) / sh + 1; } int wo() const { return (w + 2 * pw - kw) / sw + 1; } };

static void test_conv(G g) {
    int ho = g.ho(), wo = g.wo(), hw = ho * wo;
    long long R = (long long)g.c * g.kh * g.kw, Q = (long long)g.n * hw;
    auto x = uni(g.n * g.c * g.h * g.w), w = uni(g.oc * R), b = uni(g.oc), dy = uni(g.n * g.oc * hw);
    auto dw = uni(g.oc * R), db = uni(g.oc);
    std::vector<double> y_ref(g.n * g.oc * hw), dx_ref(x.size(), 0.0), dw_ref(dw.begin(), dw.end()), db_ref(db.begin(), db.end());
    for (int n = 0; n < g.n; n++)
        for (int o = 0; o < g.oc; o++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    double s = b[o];
                    double gy = dy[((n * g.oc + o) * ho + i) * wo + j];
                    db_ref[o] += gy;
                    for (int c = 0; c < g.c; c++)
                        for (int u = 0; u < g.kh; u++)
                            for (int v = 0; v < g.kw; v++) {
                                int hh = i * g.sh + u - g.ph, ww = j * g.sw + v - g.pw;
                                if (hh < 0 || hh >= g.h || ww < 0 || ww >= g.w) continue;
                                int xi = ((n * g.c + c) * g.h + hh) * g.w + ww, wi = ((o * g.c + c) * g.kh + u) * g.kw + v;
                                s += (double)w[wi] * x[xi];
                                dx_ref[xi] += (double)w[wi] * gy;
                                dw_ref[wi] += gy * x[xi];
                            }
                    y_ref[((n * g.oc + o) * ho + i) * wo + j] = s;
                }
    std::vector<float> ws(R * Q + g.oc * Q, NAN), y(y_ref.size(), NAN), dx(x.size(), NAN);
    float* col = ws.data();
    float* yt = ws.data() + R * Q;
#define GEO g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, ho, wo
    // forward: im2col, yt = w * col, y = permute(yt) + b   (Conv2dCuda.forward)
    emu_launch(conv2d_im2col_f32, emu_dim3{blocks1d(R * Q)}, 256, col, (const float*)x.data(), GEO);
    emu_launch(sgemm_nn_f32, emu_dim3{(unsigned)((Q + 63) / 64), (unsigned)((g.oc + 63) / 64), 1}, 256, g.oc, (int)Q, (int)R, 1.f,
               (const float*)w.data(), (int)R, 0LL, (const float*)col, (int)Q, 0LL, 0.f, yt, (int)Q, 0LL, 0);
    emu_launch(conv2d_bias_forward_f32, emu_dim3{blocks1d(y.size())}, 256, y.data(), (const float*)yt, (const float*)b.data(), g.n, g.oc, hw);
    check("conv forward", y_ref, y.data(), 1e-6);
    // backward data: dyt = permute(dy), dcol = w^T dyt, dx = col2im(dcol)   (Conv2dCuda.backwardData)
    emu_launch(conv2d_dy_backward_f32, emu_dim3{blocks1d(dy.size())}, 256, yt, (const float*)dy.data(), g.n, g.oc, hw);
    emu_launch(sgemm_tn_f32, emu_dim3{(unsigned)((Q + 63) / 64), (unsigned)((R + 63) / 64), 1}, 256, (int)R, (int)Q, g.oc, 1.f,
               (const float*)w.data(), (int)R, 0LL, (const float*)yt, (int)Q, 0LL, 0.f, col, (int)Q, 0LL, 0);
    emu_launch(conv2d_col2im_f32, emu_dim3{blocks1d(x.size())}, 256, dx.data(), (const float*)col, GEO);
    check("conv backward data", dx_ref, dx.data(), 1e-6);
    // backward filter: im2col, dyt, db += rows of dyt, dw += dyt col^T by split-K   (Conv2dCuda.backwardFilter)
    emu_launch(conv2d_im2col_f32, emu_dim3{blocks1d(R * Q)}, 256, col, (const float*)x.data(), GEO);
    emu_launch(conv2d_dy_backward_f32, emu_dim3{blocks1d(dy.size())}, 256, yt, (const float*)dy.data(), g.n, g.oc, hw);
    emu_launch(conv2d_bias_backward_f32, emu_dim3{(unsigned)g.oc}, 256, db.data(), (const float*)yt, g.oc, Q);
    int kPer = 64, splits = (int)((Q + kPer - 1) / kPer);
    std::vector<float> part((size_t)splits * g.oc * R, NAN);
    emu_launch(sgemm_nt_f32, emu_dim3{(unsigned)((R + 63) / 64), (unsigned)((g.oc + 63) / 64), (unsigned)splits}, 256, g.oc, (int)R, (int)Q,
               1.f, (const float*)yt, (int)Q, 0LL, (const float*)col, (int)Q, 0LL, 0.f, part.data(), (int)R, (long long)g.oc * R, kPer);
    emu_launch(sgemm_splitk_reduce_f32, emu_dim3{blocks1d(g.oc * R)}, 256, dw.data(), (const float*)part.data(), g.oc, (int)R, (int)R, splits, 1.f);
    check("conv backward filter (accumulated)", dw_ref, dw.data(), 1e-6);
    check("conv backward bias (accumulated)", db_ref, db.data(), 1e-6);
#undef GEO
}

static void test_batchnorm(int n, int c, int s, int parts, float offset) {
    long long cnt = (long long)n * s, len = cnt * c;
    auto x = uni(len), dy = uni(len), gamma = uni(c, 0.5f, 1.5f), beta = uni(c), rm = uni(c), rv = uni(c, 0.5f, 1.5f);
    for (auto& v : x) v += offset;
    auto dg = uni(c), dbt = uni(c);
    std::vector<double> mean(c), var(c), y_ref(len), dx_ref(len), dg_ref(dg.begin(), dg.end()), db_ref(dbt.begin(), dbt.end()),
        rm_ref(c), rv_ref(c);
    float eps = 1e-5f, mom = 0.1f;
    for (int ch = 0; ch < c; ch++) {
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) s1 += x[(i * c + ch) * s + j];
        mean[ch] = s1 / cnt;
        for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) { double d = x[(i * c + ch) * s + j] - mean[ch]; s2 += d * d; }
        var[ch] = s2 / cnt;
        double r = 1 / std::sqrt(var[ch] + eps), sg = 0, sgx = 0;
        rm_ref[ch] = (1 - mom) * rm[ch] + mom * mean[ch];
        rv_ref[ch] = (1 - mom) * rv[ch] + mom * var[ch] * cnt / (cnt - 1);
        for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) {
            int e = (i * c + ch) * s + j;
            y_ref[e] = gamma[ch] * (x[e] - mean[ch]) * r + beta[ch];
            sg += dy[e];
            sgx += dy[e] * (x[e] - mean[ch]) * r;
        }
        dg_ref[ch] += sgx;
        db_ref[ch] += sg;
        for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) {
            int e = (i * c + ch) * s + j;
            double xh = (x[e] - mean[ch]) * r;
            dx_ref[e] = gamma[ch] * r / cnt * (cnt * dy[e] - sg - xh * sgx);
        }
    }
    std::vector<double> part(2 * c * parts, NAN);
    std::vector<float> shift(c, NAN), coef(4 * c, NAN), smean(c), sinv(c), y(len, NAN), dx(len, NAN);
    unsigned cb = (c + 255) / 256;
    // BatchNormCuda.forwardTrain
    emu_launch(batchnorm_partial_f32, emu_dim3{(unsigned)parts, (unsigned)c}, 256, part.data(), (const float*)x.data(), (const float*)x.data(),
               (const float*)shift.data(), n, c, s, parts, 0);
    emu_launch(batchnorm_stats_f32, emu_dim3{cb}, 256, coef.data(), shift.data(), smean.data(), sinv.data(), rm.data(), rv.data(),
               (const double*)part.data(), (const float*)gamma.data(), (const float*)beta.data(), c, parts, cnt, mom, eps, 0);
    emu_launch(batchnorm_partial_f32, emu_dim3{(unsigned)parts, (unsigned)c}, 256, part.data(), (const float*)x.data(), (const float*)x.data(),
               (const float*)shift.data(), n, c, s, parts, 1);
    emu_launch(batchnorm_stats_f32, emu_dim3{cb}, 256, coef.data(), shift.data(), smean.data(), sinv.data(), rm.data(), rv.data(),
               (const double*)part.data(), (const float*)gamma.data(), (const float*)beta.data(), c, parts, cnt, mom, eps, 1);
    emu_launch(batchnorm_forward_f32, emu_dim3{blocks1d(len)}, 256, y.data(), (const float*)x.data(), (const float*)coef.data(), n, c, s);
    std::string tag = " (N,C,S)=(" + std::to_string(n) + "," + std::to_string(c) + "," + std::to_string(s) + ") +" + std::to_string((int)offset);
    check(("bn mean" + tag).c_str(), mean, smean.data(), 2e-7);   // one float rounding
    check(("bn y" + tag).c_str(), y_ref, y.data(), 1e-5);
    check(("bn running mean" + tag).c_str(), rm_ref, rm.data(), 1e-6);
    check(("bn running var" + tag).c_str(), rv_ref, rv.data(), 1e-5);
    if (offset != 0) return;   // the backward reads the saved float mean: see NormLossCudaTest (forward only for |mean| >> std)
    // BatchNormCuda.backwardTrain
    emu_launch(batchnorm_partial_f32, emu_dim3{(unsigned)parts, (unsigned)c}, 256, part.data(), (const float*)x.data(), (const float*)dy.data(),
               (const float*)smean.data(), n, c, s, parts, 2);
    emu_launch(batchnorm_grad_coef_f32, emu_dim3{cb}, 256, coef.data(), dg.data(), dbt.data(), (const double*)part.data(),
               (const float*)smean.data(), (const float*)sinv.data(), (const float*)gamma.data(), (const float*)sinv.data(), c, parts, cnt, 0.f, 1);
    emu_launch(batchnorm_backward_f32, emu_dim3{blocks1d(len)}, 256, dx.data(), (const float*)dy.data(), (const float*)x.data(),
               (const float*)coef.data(), n, c, s);
    check(("bn dx" + tag).c_str(), dx_ref, dx.data(), 1e-4);
    check(("bn dgamma" + tag).c_str(), dg_ref, dg.data(), 1e-5);
    check(("bn dbeta" + tag).c_str(), db_ref, dbt.data(), 1e-6);
}

static void test_batchnorm_eval(int n, int c, int s) {
    long long len = (long long)n * c * s;
    auto x = uni(len), dy = uni(len), gamma = uni(c, 0.5f, 1.5f), beta = uni(c), rm = uni(c), rv = uni(c, 0.5f, 1.5f);
    float eps = 1e-5f;
    std::vector<double> y_ref(len), dx_ref(len), dg_ref(c, 0.0), db_ref(c, 0.0);
    for (int i = 0; i < n; i++) for (int ch = 0; ch < c; ch++) for (int j = 0; j < s; j++) {
        int e = (i * c + ch) * s + j;
        double r = 1 / std::sqrt((double)rv[ch] + eps);
        y_ref[e] = gamma[ch] * (x[e] - rm[ch]) * r + beta[ch];
        dx_ref[e] = dy[e] * gamma[ch] * r;
        dg_ref[ch] += dy[e] * (x[e] - rm[ch]) * r;
        db_ref[ch] += dy[e];
    }
    int parts = 2;
    std::vector<double> part(2 * c * parts, NAN);
    std::vector<float> coef(4 * c, NAN), y(len, NAN), dx(len, NAN), dg(c, 0.f), db(c, 0.f);
    // BatchNormCuda.forwardEval and backwardEval (center = running mean, invstd argument unused in eval)
    emu_launch(batchnorm_eval_coef_f32, emu_dim3{1}, 256, coef.data(), (const float*)gamma.data(), (const float*)beta.data(),
               (const float*)rm.data(), (const float*)rv.data(), c, eps);
    emu_launch(batchnorm_forward_f32, emu_dim3{blocks1d(len)}, 256, y.data(), (const float*)x.data(), (const float*)coef.data(), n, c, s);
    check("bn eval y", y_ref, y.data(), 1e-6);
    emu_launch(batchnorm_partial_f32, emu_dim3{(unsigned)parts, (unsigned)c}, 256, part.data(), (const float*)x.data(), (const float*)dy.data(),
               (const float*)rm.data(), n, c, s, parts, 2);
    emu_launch(batchnorm_grad_coef_f32, emu_dim3{1}, 256, coef.data(), dg.data(), db.data(), (const double*)part.data(),
               (const float*)rm.data(), (const float*)rv.data(), (const float*)gamma.data(), (const float*)rv.data(), c, parts, (long long)n * s, eps, 0);
    emu_launch(batchnorm_backward_f32, emu_dim3{blocks1d(len)}, 256, dx.data(), (const float*)dy.data(), (const float*)x.data(),
               (const float*)coef.data(), n, c, s);
    check("bn eval dx", dx_ref, dx.data(), 1e-6);
    check("bn eval dgamma", dg_ref, dg.data(), 1e-6);
    check("bn eval dbeta", db_ref, db.data(), 1e-6);
}

static void test_softmax(int n, int k) {
    auto l = uni(n * k, -6, 6), z = uni(n * k, 0, 1);
    std::vector<int> t(n);
    for (int r = 0; r < n; r++) {
        double s = 0;
        z[r * k] = 0;
        for (int j = 0; j < k; j++) s += z[r * k + j];
        for (int j = 0; j < k; j++) z[r * k + j] /= s;
        t[r] = (r * 7 + 3) % k;
    }
    std::vector<double> p_ref(n * k), kl_ref(1, 0), ce_ref(1, 0), dkl_ref(n * k), dce_ref(n * k);
    double denom = (double)n * k;
    for (int r = 0; r < n; r++) {
        double m = -1e300, s = 0;
        for (int j = 0; j < k; j++) m = std::max(m, (double)l[r * k + j]);
        for (int j = 0; j < k; j++) s += std::exp(l[r * k + j] - m);
        double lse = m + std::log(s);
        for (int j = 0; j < k; j++) {
            double p = std::exp(l[r * k + j] - lse), zj = z[r * k + j];
            p_ref[r * k + j] = p;
            if (zj != 0) kl_ref[0] += zj * (std::log(zj) - (l[r * k + j] - lse));
            dkl_ref[r * k + j] = (p - zj) / denom;
            dce_ref[r * k + j] = (p - (j == t[r])) / n;
        }
        ce_ref[0] -= l[r * k + t[r]] - lse;
    }
    kl_ref[0] /= denom;
    ce_ref[0] /= n;
    std::vector<float> p(n * k, NAN), d(n * k, NAN), loss(1, NAN);
    std::vector<double> rows(n, NAN);
    unsigned wb = (unsigned)((n + 7) / 8);
    std::string tag = " (" + std::to_string(n) + "," + std::to_string(k) + ")";
    emu_launch(softmax_forward_f32, emu_dim3{wb}, 256, p.data(), (const float*)l.data(), n, k);
    check(("softmax p" + tag).c_str(), p_ref, p.data(), 1e-6);
    emu_launch(softmax_kl_forward_f32, emu_dim3{wb}, 256, p.data(), rows.data(), (const float*)l.data(), (const float*)z.data(), n, k);
    emu_launch(softmax_loss_reduce_f32, emu_dim3{1}, 32, loss.data(), (const double*)rows.data(), n, 1.0 / denom);
    check(("kl loss (mean)" + tag).c_str(), kl_ref, loss.data(), 1e-6);
    emu_launch(softmax_kl_backward_f32, emu_dim3{wb}, 256, d.data(), (const float*)p.data(), (const float*)z.data(), n, k, 1.0 / denom);
    check(("kl grad" + tag).c_str(), dkl_ref, d.data(), 1e-5);
    emu_launch(softmax_ce_forward_f32, emu_dim3{wb}, 256, p.data(), rows.data(), (const float*)l.data(), (const int*)t.data(), n, k);
    emu_launch(softmax_loss_reduce_f32, emu_dim3{1}, 32, loss.data(), (const double*)rows.data(), n, 1.0 / n);
    check(("ce loss" + tag).c_str(), ce_ref, loss.data(), 1e-6);
    emu_launch(softmax_ce_backward_f32, emu_dim3{blocks1d(n * k)}, 256, d.data(), (const float*)p.data(), (const int*)t.data(), n, k, 1.0 / n);
    check(("ce grad" + tag).c_str(), dce_ref, d.data(), 1e-5);
}

static void test_pool_and_linear() {
    int planes = 13, s = 45;
    auto x = uni(planes * s);
    std::vector<double> ref(planes);
    for (int p = 0; p < planes; p++) { double t = 0; for (int j = 0; j < s; j++) t += x[p * s + j]; ref[p] = t / s; }
    std::vector<float> y(planes, NAN);
    emu_launch(gap_forward_f32, emu_dim3{(unsigned)((planes + 7) / 8)}, 256, y.data(), (const float*)x.data(), planes, s);
    check("gap forward", ref, y.data(), 1e-7);
    int h = 7, w = 9, ho = 3, wo = 4, pl = 2;
    auto xm = uni(pl * h * w);
    std::vector<double> mref(pl * ho * wo);
    for (int p = 0; p < pl; p++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
        double m = -1e300;
        for (int u = 0; u < 2; u++) for (int v = 0; v < 2; v++) m = std::max(m, (double)xm[p * h * w + (2 * i + u) * w + 2 * j + v]);
        mref[(p * ho + i) * wo + j] = m;
    }
    std::vector<float> ym(pl * ho * wo, NAN);
    std::vector<int> am(pl * ho * wo, -1);
    emu_launch(maxpool_forward_f32, emu_dim3{1}, 256, ym.data(), am.data(), (const float*)xm.data(), pl, h, w);
    check("maxpool forward", mref, ym.data(), 0);
    auto gy = uni(pl * ho * wo);
    std::vector<float> gx(pl * h * w, 0.f);     // the launcher zeroes dx first (cuMemsetD32Async)
    std::vector<double> gref(pl * h * w, 0.0);
    for (int p = 0; p < pl; p++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
        int o = (p * ho + i) * wo + j, best = -1;
        for (int u = 0; u < 2; u++) for (int v = 0; v < 2; v++) {
            int k = (2 * i + u) * w + 2 * j + v;
            if (best < 0 || xm[p * h * w + k] > xm[p * h * w + best]) best = k;
        }
        if (am[o] != best) { failures++; std::printf("maxpool argmax at %d: %d vs %d FAIL\n", o, am[o], best); }
        gref[p * h * w + best] = gy[o];
    }
    emu_launch(maxpool_backward_f32, emu_dim3{1}, 256, gx.data(), (const float*)gy.data(), (const int*)am.data(), pl, h, w);
    check("maxpool backward", gref, gx.data(), 0);
    int n = 9, out = 300;
    auto dy = uni(n * out), db = uni(out);
    std::vector<double> dbr(db.begin(), db.end());
    for (int r = 0; r < n; r++) for (int j = 0; j < out; j++) dbr[j] += dy[r * out + j];
    emu_launch(linear_bias_backward_f32, emu_dim3{blocks1d(out)}, 256, db.data(), (const float*)dy.data(), n, out);
    check("linear bias backward", dbr, db.data(), 1e-6);
}

int main() {
    test_sgemm();
    test_conv(G{2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1});
    test_conv(G{2, 2, 17, 12, 5, 5, 5, 2, 1, 2, 2});
    test_conv(G{1, 3, 9, 8, 2, 3, 3, 2, 2, 0, 1});
    test_batchnorm(3, 4, 50, 3, 0);
    test_batchnorm(5, 3, 1, 1, 0);
    test_batchnorm(4, 2, 300, 7, 1700);
    test_batchnorm_eval(3, 5, 20);
    test_softmax(5, 50);
    test_softmax(9, 77);
    test_softmax(3, 2);
    test_pool_and_linear();
    std::printf(failures ? "EMU FAIL (%d)\n" : "EMU PASS\n", failures);
    return failures ? 1 : 0;
}
