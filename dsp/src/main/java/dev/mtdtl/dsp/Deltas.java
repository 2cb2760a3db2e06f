package dev.mtdtl.dsp;

/**
 * Time derivatives of feature sequences stored (T, D) (frame-major). Two definitions:
 *
 * <ul>
 *   <li>{@link #diff}: plain first difference {@code out[t] = x[t+1] - x[t]}, T - 1 frames. The paper's
 *       MFCC baseline uses this for Delta, and the difference of Delta for Delta-Delta (decision 18).</li>
 *   <li>{@link #savgol}: {@code librosa.feature.delta(x, width, order, mode='interp')}, i.e. scipy's
 *       Savitzky-Golay filter with polyorder = deriv = order. Interior frames are a correlation with
 *       c_j, j = -h..h (h = width/2); for width 9: order 1 gives j / 60, order 2 gives
 *       (j^2 - 20/3) 2/308. In 'interp' mode the first and last h frames take the derivative of the
 *       polynomial fitted to the first/last {@code width} frames; with polyorder = deriv that
 *       derivative is a constant, equal to the interior value at frame h (resp. T-1-h). Note that
 *       order 2 is NOT the delta of the order-1 delta.</li>
 * </ul>
 *
 * <p>The coefficients come from the least-squares fit in double:
 * c = order! * row {@code order} of (A^T A)^-1 A^T with A[j, p] = j^p.
 *
 * <p>Omitted: scipy's other edge modes (mirror, nearest, wrap), polyorder above the derivative order.
 */
public final class Deltas {

    private Deltas() {}

    /** out[t, d] = x[t+1, d] - x[t, d] for t in [0, T-1). out: written, (T-1, D). x: read, (T, D). */
    public static void diff(float[] out, float[] x, int frames, int dims) {
        for (int i = 0; i < (frames - 1) * dims; i++) {
            out[i] = x[i + dims] - x[i];
        }
    }

    /**
     * librosa.feature.delta along time, mode 'interp'. out: written, (T, D). x: read, (T, D).
     * Needs an odd width >= 3 and T >= width (librosa raises otherwise).
     */
    public static void savgol(float[] out, float[] x, int frames, int dims, int width, int order) {
        if (width < 3 || (width & 1) == 0 || order < 1 || order >= width) {
            throw new IllegalArgumentException("width must be odd >= 3 and 1 <= order < width: " + width + ", " + order);
        }
        if (frames < width) {
            throw new IllegalArgumentException("savgol delta needs at least width=" + width + " frames, got " + frames);
        }
        int h = width / 2;
        float[] c = coefficients(width, order);
        for (int t = h; t < frames - h; t++) {
            for (int d = 0; d < dims; d++) {
                float acc = 0f;
                for (int j = -h; j <= h; j++) {
                    acc += c[j + h] * x[(t + j) * dims + d];
                }
                out[t * dims + d] = acc;
            }
        }
        for (int t = 0; t < h; t++) {
            System.arraycopy(out, h * dims, out, t * dims, dims);
            System.arraycopy(out, (frames - 1 - h) * dims, out, (frames - 1 - t) * dims, dims);
        }
    }

    /** Savitzky-Golay coefficients c_j, j = -h..h, for the order-th derivative of a degree-order fit. */
    static float[] coefficients(int width, int order) {
        int h = width / 2;
        int p = order + 1;
        double[][] ata = new double[p][p];   // sum_j j^(a+b)
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                for (int j = -h; j <= h; j++) {
                    ata[a][b] += StrictMath.pow(j, a + b);
                }
            }
        }
        // e = (A^T A)^-1 unit(order): solve by Gauss-Jordan with partial pivoting (p <= width, tiny).
        double[] e = new double[p];
        e[order] = 1;
        for (int col = 0; col < p; col++) {
            int piv = col;
            for (int r = col + 1; r < p; r++) {
                if (Math.abs(ata[r][col]) > Math.abs(ata[piv][col])) {
                    piv = r;
                }
            }
            double[] tr = ata[col];
            ata[col] = ata[piv];
            ata[piv] = tr;
            double te = e[col];
            e[col] = e[piv];
            e[piv] = te;
            for (int r = 0; r < p; r++) {
                if (r != col) {
                    double f = ata[r][col] / ata[col][col];
                    for (int k = col; k < p; k++) {
                        ata[r][k] -= f * ata[col][k];
                    }
                    e[r] -= f * e[col];
                }
            }
        }
        for (int r = 0; r < p; r++) {
            e[r] /= ata[r][r];
        }
        double fact = 1;
        for (int i = 2; i <= order; i++) {
            fact *= i;
        }
        float[] c = new float[width];
        for (int j = -h; j <= h; j++) {
            double s = 0;   // (A e)_j, since (A^T A)^-1 is symmetric
            for (int a = 0; a < p; a++) {
                s += e[a] * StrictMath.pow(j, a);
            }
            c[j + h] = (float) (fact * s);
        }
        return c;
    }
}
