package dev.mtdtl.tensor.ref;

/** ReLU in double: y = max(x, 0); dx = dy where x > 0, else 0 (derivative 0 at x = 0). */
public final class ReluRef {

    private ReluRef() {}

    public static double[] forward(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 ? x[i] : 0.0;
        }
        return y;
    }

    public static double[] backward(double[] dy, double[] x) {
        double[] dx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            dx[i] = x[i] > 0 ? dy[i] : 0.0;
        }
        return dx;
    }
}
