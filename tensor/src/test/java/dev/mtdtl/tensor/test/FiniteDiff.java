package dev.mtdtl.tensor.test;

import java.util.function.ToDoubleFunction;

/** Central finite differences in double, for checking the backward formulas of the references. */
public final class FiniteDiff {

    private FiniteDiff() {}

    /** d f / d x_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h for every i; x is restored. */
    public static double[] gradient(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            x[i] = xi + h;
            double fp = f.applyAsDouble(x);
            x[i] = xi - h;
            double fm = f.applyAsDouble(x);
            x[i] = xi;
            g[i] = (fp - fm) / (2 * h);
        }
        return g;
    }

    /** sum_i a_i b_i: turns a vector output into the scalar loss L = <y, w> whose gradient wrt y is w. */
    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
