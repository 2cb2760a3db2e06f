package dev.mtdtl.dsp;

import dev.mtdtl.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Per-band standardisation statistics (the paper's StandardScaler, section 1 of the reference digest):
 * mean and population std (ddof 0) of every mel band over all frames of both channels of a set of
 * files, accumulated one file at a time.
 *
 * <p>Numerics: each batch (one file) gets its own mean and sum of squared deviations M2 by two passes
 * in double, and is merged into the running totals with Chan et al.'s pairwise update
 * {@code delta = mb - ma; mean = ma + delta nb / n; M2 = M2a + M2b + delta^2 na nb / n}. This keeps the
 * accuracy of a two-pass computation per file and never forms sum(x^2) - n mean^2, which would cancel
 * catastrophically for dB values near -40 with spreads near 10. Merging two accumulators (e.g. built
 * by different threads) uses the same update, so the result only depends on the merge order.
 *
 * <p>File: a float64 .npy of shape (3, B): row 0 the means, row 1 the stds, row 2 the frame count
 * (repeated per band), written atomically. NumPy users read mean = a[0], sd = a[1].
 *
 * <p>Applied as (x - mean) / max(std, 1e-10), as the paper's code does on the GPU.
 *
 * <p>Omitted: per-channel or per-track statistics (the paper pools everything), ddof 1.
 */
public final class BandStats {

    private final int bands;
    private final double[] mean;   // (B)
    private final double[] m2;     // (B)
    private long count;

    public BandStats(int bands) {
        if (bands < 1) {
            throw new IllegalArgumentException("bands must be >= 1, got " + bands);
        }
        this.bands = bands;
        this.mean = new double[bands];
        this.m2 = new double[bands];
    }

    public int bands() {
        return bands;
    }

    /** Number of frames (rows) seen. */
    public long count() {
        return count;
    }

    /** Add {@code rows} rows of B values from x (row-major, e.g. a (C, T, B) dB-mel with rows = C T). */
    public void add(float[] x, int off, int rows) {
        if (rows <= 0) {
            return;
        }
        double[] bm = new double[bands];
        double[] bm2 = new double[bands];
        for (int r = 0; r < rows; r++) {
            int o = off + r * bands;
            for (int b = 0; b < bands; b++) {
                bm[b] += x[o + b];
            }
        }
        for (int b = 0; b < bands; b++) {
            bm[b] /= rows;
        }
        for (int r = 0; r < rows; r++) {
            int o = off + r * bands;
            for (int b = 0; b < bands; b++) {
                double d = x[o + b] - bm[b];
                bm2[b] += d * d;
            }
        }
        merge(bm, bm2, rows);
    }

    /** Fold another accumulator into this one (Chan's parallel update). */
    public void merge(BandStats o) {
        if (o.bands != bands) {
            throw new IllegalArgumentException("band counts differ: " + bands + " vs " + o.bands);
        }
        merge(o.mean, o.m2, o.count);
    }

    private void merge(double[] mb, double[] m2b, long nb) {
        if (nb == 0) {
            return;
        }
        long n = count + nb;
        for (int b = 0; b < bands; b++) {
            double delta = mb[b] - mean[b];
            mean[b] += delta * nb / n;
            m2[b] += m2b[b] + delta * delta * ((double) count * nb / n);
        }
        count = n;
    }

    /** Per-band means (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** Per-band population standard deviations (ddof 0). */
    public double[] std() {
        double[] s = new double[bands];
        for (int b = 0; b < bands; b++) {
            s[b] = count == 0 ? 0 : Math.sqrt(m2[b] / count);
        }
        return s;
    }

    /**
     * x := (x - mean) / max(std, 1e-10) for {@code rows} rows of B values at off, in place.
     */
    public void standardize(float[] x, int off, int rows) {
        if (count == 0) {
            throw new IllegalStateException("no frames seen: statistics are undefined");
        }
        double[] sd = std();
        float[] mu = new float[bands];
        float[] inv = new float[bands];
        for (int b = 0; b < bands; b++) {
            mu[b] = (float) mean[b];
            inv[b] = (float) (1.0 / Math.max(sd[b], 1e-10));
        }
        for (int r = 0; r < rows; r++) {
            int o = off + r * bands;
            for (int b = 0; b < bands; b++) {
                x[o + b] = (x[o + b] - mu[b]) * inv[b];
            }
        }
    }

    /** Write the (3, B) float64 .npy described in the class comment, atomically. */
    public void save(Path file) throws IOException {
        double[] a = new double[3 * bands];
        double[] sd = std();
        for (int b = 0; b < bands; b++) {
            a[b] = mean[b];
            a[bands + b] = sd[b];
            a[2 * bands + b] = count;
        }
        Npy.writeDouble(file, a, 3, bands);
    }

    /** Read a file written by {@link #save}; merging into the result continues the accumulation exactly. */
    public static BandStats load(Path file) throws IOException {
        return of(Npy.read(file), file.toString());
    }

    /** The bytes of a file written by {@link #save} (e.g. kept inside a model file); {@code name} is for messages. */
    public static BandStats parse(byte[] npy, String name) throws IOException {
        return of(Npy.parse(npy, name), name);
    }

    private static BandStats of(Npy.Array a, String file) throws IOException {
        int[] s = a.shape();
        if (s.length != 2 || s[0] != 3 || s[1] < 1) {
            throw new IOException(file + ": band statistics must have shape (3, B), got " + java.util.Arrays.toString(s));
        }
        int bands = s[1];
        double[] v = a.values();
        BandStats st = new BandStats(bands);
        long n = Math.round(v[2 * bands]);
        if (n < 0 || v[2 * bands] != n) {
            throw new IOException(file + ": bad frame count " + v[2 * bands]);
        }
        st.count = n;
        for (int b = 0; b < bands; b++) {
            st.mean[b] = v[b];
            st.m2[b] = v[bands + b] * v[bands + b] * n;
        }
        return st;
    }
}
