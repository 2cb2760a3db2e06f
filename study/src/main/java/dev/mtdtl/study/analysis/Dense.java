package dev.mtdtl.study.analysis;

/**
 * The few dense linear-algebra steps the mixed models need, on small symmetric positive definite
 * matrices (p, m at most a few dozen): Cholesky, triangular solves, inverse. Row-major double[].
 * Written here because the project takes no numerics framework; sizes are tiny, so clarity over speed.
 */
final class Dense {

    private Dense() {}

    /**
     * Lower Cholesky factor of the symmetric a (m, m): l l^T = a. Returns false (l undefined) when a
     * is not positive definite to working precision (a pivot below 1e-12 times the largest diagonal).
     */
    static boolean cholesky(double[] l, double[] a, int m) {
        double maxDiag = 0;
        for (int i = 0; i < m; i++) {
            maxDiag = Math.max(maxDiag, Math.abs(a[i * m + i]));
        }
        double floor = 1e-12 * Math.max(maxDiag, 1e-300);
        java.util.Arrays.fill(l, 0, m * m, 0.0);
        for (int j = 0; j < m; j++) {
            double d = a[j * m + j];
            for (int k = 0; k < j; k++) {
                d -= l[j * m + k] * l[j * m + k];
            }
            if (!(d > floor)) {
                return false;
            }
            double ljj = Math.sqrt(d);
            l[j * m + j] = ljj;
            for (int i = j + 1; i < m; i++) {
                double s = a[i * m + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * m + k] * l[j * m + k];
                }
                l[i * m + j] = s / ljj;
            }
        }
        return true;
    }

    /** Solve l l^T x = b in place for ncol right-hand sides stored as the columns of b (m, ncol). */
    static void cholSolve(double[] l, int m, double[] b, int ncol) {
        for (int c = 0; c < ncol; c++) {
            for (int i = 0; i < m; i++) {           // forward: l z = b
                double s = b[i * ncol + c];
                for (int k = 0; k < i; k++) {
                    s -= l[i * m + k] * b[k * ncol + c];
                }
                b[i * ncol + c] = s / l[i * m + i];
            }
            for (int i = m - 1; i >= 0; i--) {      // backward: l^T x = z
                double s = b[i * ncol + c];
                for (int k = i + 1; k < m; k++) {
                    s -= l[k * m + i] * b[k * ncol + c];
                }
                b[i * ncol + c] = s / l[i * m + i];
            }
        }
    }

    /** log det of l l^T = 2 sum log l_ii. */
    static double logDet(double[] l, int m) {
        double s = 0;
        for (int i = 0; i < m; i++) {
            s += StrictMath.log(l[i * m + i]);
        }
        return 2 * s;
    }

    /** (l l^T)^{-1}, (m, m). */
    static double[] inverse(double[] l, int m) {
        double[] e = new double[m * m];
        for (int i = 0; i < m; i++) {
            e[i * m + i] = 1;
        }
        cholSolve(l, m, e, m);
        return e;
    }

    /** Solve the symmetric positive definite a x = b; null when a is not positive definite. */
    static double[] solveSpd(double[] a, double[] b, int m) {
        double[] l = new double[m * m];
        if (!cholesky(l, a, m)) {
            return null;
        }
        double[] x = b.clone();
        cholSolve(l, m, x, 1);
        return x;
    }
}
