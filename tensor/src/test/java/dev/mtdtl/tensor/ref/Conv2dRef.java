package dev.mtdtl.tensor.ref;

/**
 * Reference 2-D convolution in double, naive loops over the definition (cross-correlation, NCHW, zero
 * padding on both sides). x (N,C,H,W), w (OC,C,KH,KW), b (OC) or null, y (N,OC,HO,WO).
 * Every function returns fresh arrays (no accumulation), so a test adds onto its initial values itself.
 */
public final class Conv2dRef {

    private Conv2dRef() {}

    public static int out(int in, int k, int s, int p) {
        return (in + 2 * p - k) / s + 1;
    }

    /** Forward with the geometry as one array {n, c, h, w, oc, kh, kw, sh, sw, ph, pw}. */
    public static double[] forward(double[] x, double[] w, double[] b, int[] g) {
        return forward(x, w, b, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10]);
    }

    /** Data gradient, geometry as in {@link #forward(double[], double[], double[], int[])}. */
    public static double[] backwardData(double[] dy, double[] w, int[] g) {
        return backwardData(dy, w, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10]);
    }

    /** Filter gradient, geometry as in {@link #forward(double[], double[], double[], int[])}. */
    public static double[] backwardFilter(double[] dy, double[] x, int[] g) {
        return backwardFilter(dy, x, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10]);
    }

    public static double[] forward(double[] x, double[] w, double[] b, int n, int c, int h, int wd, int oc,
                                   int kh, int kw, int sh, int sw, int ph, int pw) {
        int ho = out(h, kh, sh, ph), wo = out(wd, kw, sw, pw);
        double[] y = new double[n * oc * ho * wo];
        for (int bi = 0; bi < n; bi++) {
            for (int o = 0; o < oc; o++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double s = b == null ? 0 : b[o];
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < kh; u++) {
                                int hi = i * sh - ph + u;
                                if (hi < 0 || hi >= h) {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++) {
                                    int wi = j * sw - pw + v;
                                    if (wi >= 0 && wi < wd) {
                                        s += w[((o * c + ci) * kh + u) * kw + v] * x[((bi * c + ci) * h + hi) * wd + wi];
                                    }
                                }
                            }
                        }
                        y[((bi * oc + o) * ho + i) * wo + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /** dx (N,C,H,W) for upstream gradient dy (N,OC,HO,WO). */
    public static double[] backwardData(double[] dy, double[] w, int n, int c, int h, int wd, int oc,
                                        int kh, int kw, int sh, int sw, int ph, int pw) {
        int ho = out(h, kh, sh, ph), wo = out(wd, kw, sw, pw);
        double[] dx = new double[n * c * h * wd];
        for (int bi = 0; bi < n; bi++) {
            for (int o = 0; o < oc; o++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double g = dy[((bi * oc + o) * ho + i) * wo + j];
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < kh; u++) {
                                int hi = i * sh - ph + u;
                                if (hi < 0 || hi >= h) {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++) {
                                    int wi = j * sw - pw + v;
                                    if (wi >= 0 && wi < wd) {
                                        dx[((bi * c + ci) * h + hi) * wd + wi] += w[((o * c + ci) * kh + u) * kw + v] * g;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    /** dw (OC,C,KH,KW) for upstream gradient dy. */
    public static double[] backwardFilter(double[] dy, double[] x, int n, int c, int h, int wd, int oc,
                                          int kh, int kw, int sh, int sw, int ph, int pw) {
        int ho = out(h, kh, sh, ph), wo = out(wd, kw, sw, pw);
        double[] dw = new double[oc * c * kh * kw];
        for (int bi = 0; bi < n; bi++) {
            for (int o = 0; o < oc; o++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double g = dy[((bi * oc + o) * ho + i) * wo + j];
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < kh; u++) {
                                int hi = i * sh - ph + u;
                                if (hi < 0 || hi >= h) {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++) {
                                    int wi = j * sw - pw + v;
                                    if (wi >= 0 && wi < wd) {
                                        dw[((o * c + ci) * kh + u) * kw + v] += g * x[((bi * c + ci) * h + hi) * wd + wi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dw;
    }

    /** db (OC): sum of dy over n, i, j. */
    public static double[] backwardBias(double[] dy, int n, int oc, int ho, int wo) {
        double[] db = new double[oc];
        for (int bi = 0; bi < n; bi++) {
            for (int o = 0; o < oc; o++) {
                for (int q = 0; q < ho * wo; q++) {
                    db[o] += dy[(bi * oc + o) * ho * wo + q];
                }
            }
        }
        return db;
    }
}
