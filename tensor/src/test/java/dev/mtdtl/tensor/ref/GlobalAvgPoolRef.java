package dev.mtdtl.tensor.ref;

/** Global average pooling in double: x (N, C, S) -> y (N, C) mean over S; dx = dy / S. */
public final class GlobalAvgPoolRef {

    private GlobalAvgPoolRef() {}

    public static double[] forward(double[] x, int n, int c, int s) {
        double[] y = new double[n * c];
        for (int p = 0; p < n * c; p++) {
            double sum = 0;
            for (int j = 0; j < s; j++) {
                sum += x[p * s + j];
            }
            y[p] = sum / s;
        }
        return y;
    }

    public static double[] backward(double[] dy, int n, int c, int s) {
        double[] dx = new double[n * c * s];
        for (int p = 0; p < n * c; p++) {
            for (int j = 0; j < s; j++) {
                dx[p * s + j] = dy[p] / s;
            }
        }
        return dx;
    }
}
