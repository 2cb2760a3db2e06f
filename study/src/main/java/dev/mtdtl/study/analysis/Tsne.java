package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.Rng;

/**
 * Exact t-SNE (van der Maaten and Hinton 2008, JMLR 9) for the paper's Fig. 16: N points in D dimensions
 * to 2, O(N^2) per iteration (meant for a few hundred to a thousand tracks), single-threaded and seeded,
 * so a map is reproducible from its seed.
 *
 * <ul>
 *   <li>Affinities: p_j|i = exp(-beta_i d_ij^2) / sum_k, beta_i found by bisection so that the entropy of
 *       row i equals log(perplexity) (perplexity clamped to (N - 1) / 3); P = (P + P^T) / 2N.</li>
 *   <li>Map: q_ij = (1 + |y_i - y_j|^2)^-1 / Z; gradient dC/dy_i = 4 sum_j (p_ij - q_ij)(y_i - y_j)(1 + |y_i - y_j|^2)^-1.</li>
 *   <li>Optimisation as the reference implementation: 1000 iterations, learning rate 200, momentum 0.5
 *       then 0.8 after 250 iterations, early exaggeration 12 for the first 100, per-coordinate gains
 *       (+0.2 when the gradient changes sign, x0.8 otherwise, floor 0.01), initial y ~ N(0, 1e-4).</li>
 * </ul>
 * Omits: Barnes-Hut (not needed at these sizes), PCA preprocessing (distances are computed in full).
 */
public final class Tsne {

    private Tsne() {}

    /** Map x (n, d) row-major to (n, 2). */
    public static double[][] run(float[] x, int n, int d, double perplexity, int iterations, long seed) {
        if (n < 4) {
            throw new IllegalArgumentException("t-SNE needs at least 4 points, got " + n);
        }
        double[] d2 = new double[n * n];   // (n, n) squared distances
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    double t = x[i * d + k] - x[j * d + k];
                    s += t * t;
                }
                d2[i * n + j] = s;
                d2[j * n + i] = s;
            }
        }
        double[] p = affinities(d2, n, Math.min(perplexity, (n - 1) / 3.0));
        double[] y = new double[n * 2];
        Rng rng = new Rng(seed);
        for (int i = 0; i < 2 * n; i++) {
            y[i] = 1e-2 * rng.nextGaussian();    // N(0, 1e-4): sd 1e-2
        }
        double[] vel = new double[n * 2];
        double[] gains = new double[n * 2];
        java.util.Arrays.fill(gains, 1);
        double[] num = new double[n * n];
        double[] grad = new double[n * 2];
        for (int it = 0; it < iterations; it++) {
            double exag = it < 100 ? 12 : 1;
            double mom = it < 250 ? 0.5 : 0.8;
            double z = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    double dx = y[2 * i] - y[2 * j];
                    double dy = y[2 * i + 1] - y[2 * j + 1];
                    double q = 1 / (1 + dx * dx + dy * dy);
                    num[i * n + j] = q;
                    num[j * n + i] = q;
                    z += 2 * q;
                }
            }
            java.util.Arrays.fill(grad, 0);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i == j) {
                        continue;
                    }
                    double q = num[i * n + j];
                    double m = 4 * (exag * p[i * n + j] - q / z) * q;
                    grad[2 * i] += m * (y[2 * i] - y[2 * j]);
                    grad[2 * i + 1] += m * (y[2 * i + 1] - y[2 * j + 1]);
                }
            }
            for (int c = 0; c < 2 * n; c++) {
                gains[c] = Math.signum(grad[c]) != Math.signum(vel[c]) ? gains[c] + 0.2 : gains[c] * 0.8;
                gains[c] = Math.max(gains[c], 0.01);
                vel[c] = mom * vel[c] - 200 * gains[c] * grad[c];
                y[c] += vel[c];
            }
            for (int k = 0; k < 2; k++) {    // keep the map centred
                double m = 0;
                for (int i = 0; i < n; i++) {
                    m += y[2 * i + k];
                }
                m /= n;
                for (int i = 0; i < n; i++) {
                    y[2 * i + k] -= m;
                }
            }
        }
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            out[i][0] = y[2 * i];
            out[i][1] = y[2 * i + 1];
        }
        return out;
    }

    /** Symmetric joint affinities P (n, n) with the given perplexity per row. */
    static double[] affinities(double[] d2, int n, double perplexity) {
        double target = StrictMath.log(perplexity);
        double[] p = new double[n * n];
        double[] row = new double[n];
        for (int i = 0; i < n; i++) {
            double lo = 0;
            double hi = Double.POSITIVE_INFINITY;
            double beta = 1;
            // Scale beta's start by the row's mean distance so the bisection starts near the answer.
            double mean = 0;
            for (int j = 0; j < n; j++) {
                mean += d2[i * n + j];
            }
            mean /= (n - 1);
            if (mean > 0) {
                beta = 1 / mean;
            }
            for (int step = 0; step < 100; step++) {
                double sum = 0;
                double minD = Double.POSITIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        minD = Math.min(minD, d2[i * n + j]);
                    }
                }
                for (int j = 0; j < n; j++) {
                    row[j] = j == i ? 0 : StrictMath.exp(-beta * (d2[i * n + j] - minD));   // shifted: no underflow
                    sum += row[j];
                }
                // H = log(sum) + beta * sum_j p_j (d_j - minD)
                double h = 0;
                for (int j = 0; j < n; j++) {
                    row[j] /= sum;
                    if (j != i) {
                        h += row[j] * (d2[i * n + j] - minD);
                    }
                }
                h = StrictMath.log(sum) + beta * h;
                if (Math.abs(h - target) < 1e-5) {
                    break;
                }
                if (h > target) {
                    lo = beta;
                    beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
                } else {
                    hi = beta;
                    beta = (beta + lo) / 2;
                }
            }
            System.arraycopy(row, 0, p, i * n, n);
        }
        double[] s = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s[i * n + j] = Math.max((p[i * n + j] + p[j * n + i]) / (2.0 * n), 1e-12);
            }
        }
        return s;
    }
}
