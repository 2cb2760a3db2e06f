package dev.mtdtl.tensor.ref;

/**
 * Batch normalisation in double, naive loops: the reference for BatchNormCpu (and its CUDA twin).
 * Tensor viewed as (N, C, S), element (i, ch, j) at (i*C + ch)*S + j. Statistics by the textbook
 * two-pass formulas; the backward is written from the per-element sums (not the CPU op's factored
 * form) so the two are independent, and it is itself checked against finite differences.
 */
public final class BatchNormRef {

    private BatchNormRef() {}

    /** Forward outputs of training mode. */
    public record Train(double[] y, double[] mean, double[] var, double[] invstd,
                        double[] runningMean, double[] runningVar) {}

    /** dx, dgamma, dbeta (the latter two fresh sums, not accumulated). */
    public record Grads(double[] dx, double[] dgamma, double[] dbeta) {}

    public static Train forwardTrain(double[] x, double[] gamma, double[] beta, double[] rm, double[] rv,
                                     int n, int c, int s, double momentum, double eps) {
        double[] mean = mean(x, n, c, s);
        double[] var = biasedVar(x, mean, n, c, s);
        double cnt = (double) n * s;
        double[] invstd = new double[c];
        double[] rmNew = new double[c];
        double[] rvNew = new double[c];
        for (int ch = 0; ch < c; ch++) {
            invstd[ch] = 1.0 / Math.sqrt(var[ch] + eps);
            rmNew[ch] = (1 - momentum) * rm[ch] + momentum * mean[ch];
            rvNew[ch] = (1 - momentum) * rv[ch] + momentum * var[ch] * cnt / (cnt - 1);
        }
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int j = 0; j < s; j++) {
                    int e = (i * c + ch) * s + j;
                    y[e] = gamma[ch] * (x[e] - mean[ch]) * invstd[ch] + beta[ch];
                }
            }
        }
        return new Train(y, mean, var, invstd, rmNew, rvNew);
    }

    /** dx_i = gamma r / n * (n g_i - sum g - xhat_i sum(g xhat)), from the batch statistics of x. */
    public static Grads backwardTrain(double[] dy, double[] x, double[] gamma, int n, int c, int s, double eps) {
        double[] mean = mean(x, n, c, s);
        double[] var = biasedVar(x, mean, n, c, s);
        double cnt = (double) n * s;
        double[] dx = new double[x.length];
        double[] dgamma = new double[c];
        double[] dbeta = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double r = 1.0 / Math.sqrt(var[ch] + eps);
            double sg = 0;
            double sgx = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    int e = (i * c + ch) * s + j;
                    sg += dy[e];
                    sgx += dy[e] * (x[e] - mean[ch]) * r;
                }
            }
            dgamma[ch] = sgx;
            dbeta[ch] = sg;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    int e = (i * c + ch) * s + j;
                    double xhat = (x[e] - mean[ch]) * r;
                    dx[e] = gamma[ch] * r / cnt * (cnt * dy[e] - sg - xhat * sgx);
                }
            }
        }
        return new Grads(dx, dgamma, dbeta);
    }

    public static double[] forwardEval(double[] x, double[] gamma, double[] beta, double[] rm, double[] rv,
                                       int n, int c, int s, double eps) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int j = 0; j < s; j++) {
                    int e = (i * c + ch) * s + j;
                    y[e] = gamma[ch] * (x[e] - rm[ch]) / Math.sqrt(rv[ch] + eps) + beta[ch];
                }
            }
        }
        return y;
    }

    public static Grads backwardEval(double[] dy, double[] x, double[] gamma, double[] rm, double[] rv,
                                     int n, int c, int s, double eps) {
        double[] dx = new double[x.length];
        double[] dgamma = new double[c];
        double[] dbeta = new double[c];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double r = 1.0 / Math.sqrt(rv[ch] + eps);
                for (int j = 0; j < s; j++) {
                    int e = (i * c + ch) * s + j;
                    dx[e] = dy[e] * gamma[ch] * r;
                    dgamma[ch] += dy[e] * (x[e] - rm[ch]) * r;
                    dbeta[ch] += dy[e];
                }
            }
        }
        return new Grads(dx, dgamma, dbeta);
    }

    public static double[] mean(double[] x, int n, int c, int s) {
        double[] m = new double[c];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int j = 0; j < s; j++) {
                    m[ch] += x[(i * c + ch) * s + j];
                }
            }
        }
        for (int ch = 0; ch < c; ch++) {
            m[ch] /= (double) n * s;
        }
        return m;
    }

    public static double[] biasedVar(double[] x, double[] mean, int n, int c, int s) {
        double[] v = new double[c];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int j = 0; j < s; j++) {
                    double d = x[(i * c + ch) * s + j] - mean[ch];
                    v[ch] += d * d;
                }
            }
        }
        for (int ch = 0; ch < c; ch++) {
            v[ch] /= (double) n * s;
        }
        return v;
    }
}
