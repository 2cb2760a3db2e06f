package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import java.util.Arrays;

/**
 * The general convolution path: im2col + SGEMM, for any stride and padding. {@link Conv2dCpu} uses it
 * where the direct kernels do not apply or would waste vector lanes (output rows narrower than a
 * vector: conv5, conv61, conv62 of the base CNN, where OC = 128..256 makes the GEMM efficient).
 *
 * <p>Letters: P = HO*WO output positions per image, CKK = C*KH*KW; a group of G images is lowered at
 * once into col (CKK, G*P): col[(c,u,v)][g*P + i*WO + j] = xpad[g, c, i*SH + u, j*SW + v], so that
 * forward is Y (OC, G*P) = W (OC, CKK) col, the data gradient is dcol = W^T dY followed by col2im
 * (a scatter-add back onto x), and the filter gradient is dW += dY col^T. G depends only on the
 * geometry (col capped at {@link #COL_CAP} floats), so results do not depend on the thread count.
 */
final class ConvIm2col {

    /** Most floats of one lowered group (8 MiB). */
    static final int COL_CAP = 1 << 21;

    private ConvIm2col() {}

    /** Images per lowered group. */
    static int group(ConvGeom g) {
        long per = (long) g.c() * g.kh() * g.kw() * g.ho() * g.wo();
        return (int) Math.max(1, Math.min(g.n(), COL_CAP / per));
    }

    /** col (CKK, G*P), then yt (OC, G*P), then the GEMM scratch. */
    static long workspaceFloats(ConvGeom g) {
        int ckk = g.c() * g.kh() * g.kw();
        int gp = group(g) * g.ho() * g.wo();
        long gemm = Math.max(Gemm.workspaceFloats(g.oc(), gp, ckk),
                Math.max(Gemm.workspaceFloats(ckk, gp, g.oc()), Gemm.workspaceFloats(g.oc(), ckk, gp)));
        return (long) ckk * gp + (long) g.oc() * gp + gemm;
    }

    static void forward(float[] y, float[] x, float[] w, float[] b, ConvGeom g, float[] ws) {
        int ckk = g.c() * g.kh() * g.kw(), p = g.ho() * g.wo(), oc = g.oc(), grp = group(g);
        int colOff = 0, ytOff = ckk * grp * p, gemmOff = ytOff + oc * grp * p;
        for (int n0 = 0; n0 < g.n(); n0 += grp) {
            int gn = Math.min(grp, g.n() - n0), gp = gn * p, n0F = n0;
            im2col(ws, colOff, x, g, n0, gn);
            Gemm.run(false, false, oc, gp, ckk, 1f, w, 0, ckk, ws, colOff, gp, 0f, ws, ytOff, gp, ws, gemmOff);
            Parallel.forChunks(gn * oc, 8, (ch, r0, r1) -> {   // yt[o][s*P + q] -> y[n0+s][o][q] + b[o]
                for (int r = r0; r < r1; r++) {
                    int s = r / oc, o = r % oc;
                    int src = ytOff + o * gp + s * p, dst = ((n0F + s) * oc + o) * p;
                    float bias = b == null ? 0f : b[o];
                    for (int q = 0; q < p; q++) {
                        y[dst + q] = ws[src + q] + bias;
                    }
                }
            });
        }
    }

    static void backwardData(float[] dx, float[] dy, float[] w, ConvGeom g, float[] ws) {
        int ckk = g.c() * g.kh() * g.kw(), p = g.ho() * g.wo(), oc = g.oc(), grp = group(g);
        int colOff = 0, ytOff = ckk * grp * p, gemmOff = ytOff + oc * grp * p;
        for (int n0 = 0; n0 < g.n(); n0 += grp) {
            int gn = Math.min(grp, g.n() - n0), gp = gn * p;
            gatherDy(ws, ytOff, dy, oc, p, n0, gn);
            Gemm.run(true, false, ckk, gp, oc, 1f, w, 0, ckk, ws, ytOff, gp, 0f, ws, colOff, gp, ws, gemmOff);
            col2im(dx, ws, colOff, g, n0, gn);
        }
    }

    static void backwardFilter(float[] dw, float[] dy, float[] x, ConvGeom g, float[] ws) {
        int ckk = g.c() * g.kh() * g.kw(), p = g.ho() * g.wo(), oc = g.oc(), grp = group(g);
        int colOff = 0, ytOff = ckk * grp * p, gemmOff = ytOff + oc * grp * p;
        for (int n0 = 0; n0 < g.n(); n0 += grp) {
            int gn = Math.min(grp, g.n() - n0), gp = gn * p;
            im2col(ws, colOff, x, g, n0, gn);
            gatherDy(ws, ytOff, dy, oc, p, n0, gn);
            Gemm.run(false, true, oc, ckk, gp, 1f, ws, ytOff, gp, ws, colOff, gp, 1f, dw, 0, ckk, ws, gemmOff);
        }
    }

    /**
     * col (CKK, gn*P) from images [n0, n0+gn) of x; out-of-image taps are zero. The rows of this path are
     * short (WO = 8 and 4 for conv5, conv61), so each is written by plain loops: a call to
     * System.arraycopy and two to Arrays.fill per row of 4 to 8 floats cost more than the copy itself.
     */
    static void im2col(float[] col, int colOff, float[] x, ConvGeom g, int n0, int gn) {
        int kh = g.kh(), kw = g.kw(), h = g.h(), w = g.w(), ho = g.ho(), wo = g.wo(), p = ho * wo, gp = gn * p;
        int sh = g.sh(), sw = g.sw(), ph = g.ph(), pw = g.pw();
        Parallel.forChunks(g.c() * kh * kw, 1, (r, r0, r1) -> {
            int ci = r / (kh * kw), u = r / kw % kh, v = r % kw;
            // output columns [j0, j1) read inside the image: wi = j*SW - PW + v in [0, W)
            int j0 = Math.min(wo, Math.max(0, -Math.floorDiv(v - pw, sw)));          // ceil((PW - v) / SW)
            int j1 = Math.max(j0, Math.min(wo, Math.floorDiv(w - 1 + pw - v, sw) + 1));
            for (int s = 0; s < gn; s++) {
                int src = ((n0 + s) * g.c() + ci) * h * w;
                int dst = colOff + r * gp + s * p;
                for (int i = 0; i < ho; i++, dst += wo) {
                    int hi = i * sh - ph + u;
                    if (hi < 0 || hi >= h) {
                        for (int j = 0; j < wo; j++) {
                            col[dst + j] = 0f;
                        }
                        continue;
                    }
                    int row = src + hi * w - pw + v;  // x index of column j is row + j*SW
                    for (int j = 0; j < j0; j++) {
                        col[dst + j] = 0f;
                    }
                    if (sw == 1) {
                        for (int j = j0; j < j1; j++) {
                            col[dst + j] = x[row + j];
                        }
                    } else {
                        for (int j = j0; j < j1; j++) {
                            col[dst + j] = x[row + j * sw];
                        }
                    }
                    for (int j = j1; j < wo; j++) {
                        col[dst + j] = 0f;
                    }
                }
            }
        });
    }

    /** dx[n0+s] = sum over taps of col, for images [n0, n0+gn); each (image, channel) plane by one chunk. */
    private static void col2im(float[] dx, float[] col, int colOff, ConvGeom g, int n0, int gn) {
        int c = g.c(), kh = g.kh(), kw = g.kw(), h = g.h(), w = g.w(), ho = g.ho(), wo = g.wo();
        int p = ho * wo, gp = gn * p;
        Parallel.forChunks(gn * c, 1, (t, t0, t1) -> {
            int s = t / c, ci = t % c;
            int dst = ((n0 + s) * c + ci) * h * w;
            Arrays.fill(dx, dst, dst + h * w, 0f);
            for (int u = 0; u < kh; u++) {
                for (int v = 0; v < kw; v++) {
                    int src = colOff + ((ci * kh + u) * kw + v) * gp + s * p;
                    for (int i = 0; i < ho; i++) {
                        int hi = i * g.sh() - g.ph() + u;
                        if (hi < 0 || hi >= h) {
                            continue;
                        }
                        if (g.sw() == 1) {  // valid columns as in im2col: a plain, auto-vectorised add
                            int j0 = Math.min(wo, Math.max(0, g.pw() - v));
                            int j1 = Math.max(j0, Math.min(wo, w + g.pw() - v));
                            int d = dst + hi * w - g.pw() + v;
                            int c0 = src + i * wo;
                            for (int j = j0; j < j1; j++) {
                                dx[d + j] += col[c0 + j];
                            }
                            continue;
                        }
                        for (int j = 0; j < wo; j++) {
                            int wi = j * g.sw() - g.pw() + v;
                            if (wi >= 0 && wi < w) {
                                dx[dst + hi * w + wi] += col[src + i * wo + j];
                            }
                        }
                    }
                }
            }
        });
    }

    /** yt (OC, gn*P): yt[o][s*P + q] = dy[n0+s][o][q]; output channels split over threads. */
    private static void gatherDy(float[] yt, int ytOff, float[] dy, int oc, int p, int n0, int gn) {
        int gp = gn * p;
        Parallel.forChunks(oc, 8, (ch, o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                for (int s = 0; s < gn; s++) {
                    System.arraycopy(dy, ((n0 + s) * oc + o) * p, yt, ytOff + o * gp + s * p, p);
                }
            }
        });
    }
}
