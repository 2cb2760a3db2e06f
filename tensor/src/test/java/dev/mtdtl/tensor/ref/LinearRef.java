package dev.mtdtl.tensor.ref;

/**
 * Reference fully connected layer in double: x (N,IN), w (OUT,IN), b (OUT) or null, y = x W^T + b.
 * Backward functions return fresh gradients (no accumulation).
 */
public final class LinearRef {

    private LinearRef() {}

    public static double[] forward(double[] x, double[] w, double[] b, int n, int in, int out) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int k = 0; k < in; k++) {
                    s += x[i * in + k] * w[o * in + k];
                }
                y[i * out + o] = s;
            }
        }
        return y;
    }

    /** dx (N,IN) = dy W. */
    public static double[] backwardData(double[] dy, double[] w, int n, int in, int out) {
        double[] dx = new double[n * in];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int o = 0; o < out; o++) {
                    s += dy[i * out + o] * w[o * in + k];
                }
                dx[i * in + k] = s;
            }
        }
        return dx;
    }

    /** dW (OUT,IN) = dy^T x. */
    public static double[] backwardWeight(double[] dy, double[] x, int n, int in, int out) {
        double[] dw = new double[out * in];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += dy[i * out + o] * x[i * in + k];
                }
                dw[o * in + k] = s;
            }
        }
        return dw;
    }

    /** db (OUT) = column sums of dy. */
    public static double[] backwardBias(double[] dy, int n, int out) {
        double[] db = new double[out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                db[o] += dy[i * out + o];
            }
        }
        return db;
    }
}
