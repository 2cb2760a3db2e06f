package dev.mtdtl.tensor.ref;

/**
 * 2x2 / stride 2 max pooling in double, naive loops (floor mode; ties to the first maximum in
 * row-major window order, like torch CPU). Reference for MaxPoolCpu.
 */
public final class MaxPoolRef {

    private MaxPoolRef() {}

    /** y (N, C, H/2, W/2) and argmax (flat h*W + w within the (n, c) plane). */
    public record Out(double[] y, int[] argmax) {}

    public static Out forward(double[] x, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        double[] y = new double[n * c * ho * wo];
        int[] am = new int[y.length];
        for (int p = 0; p < n * c; p++) {
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int idx = -1;
                    for (int u = 0; u < 2; u++) {
                        for (int v = 0; v < 2; v++) {
                            int k = (2 * oh + u) * w + (2 * ow + v);
                            double val = x[p * h * w + k];
                            if (idx < 0 || val > best) {
                                best = val;
                                idx = k;
                            }
                        }
                    }
                    int o = (p * ho + oh) * wo + ow;
                    y[o] = best;
                    am[o] = idx;
                }
            }
        }
        return new Out(y, am);
    }

    /** dx: each dy routed to its window's argmax, zeros elsewhere. */
    public static double[] backward(double[] dy, int[] argmax, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        double[] dx = new double[n * c * h * w];
        for (int p = 0; p < n * c; p++) {
            for (int o = 0; o < ho * wo; o++) {
                dx[p * h * w + argmax[p * ho * wo + o]] += dy[p * ho * wo + o];
            }
        }
        return dx;
    }
}
