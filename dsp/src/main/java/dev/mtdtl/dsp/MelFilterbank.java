package dev.mtdtl.dsp;

/**
 * Triangular mel filterbank, exactly as {@code librosa.filters.mel} (0.6 to 0.11) builds it, stored
 * sparsely: band m is non-zero only on a run of consecutive FFT bins. Letters: M bands, K = nFft/2 + 1
 * bins.
 *
 * <p>Construction (in double): M + 2 points equally spaced in mel between mel(fmin) and mel(fmax),
 * converted back to Hz, f[0..M+1]; bin frequencies fk = k sr / nFft;
 * {@code W[m,k] = max(0, min((fk - f[m]) / (f[m+1] - f[m]), (f[m+2] - fk) / (f[m+2] - f[m+1])))};
 * Slaney area normalisation multiplies row m by 2 / (f[m+2] - f[m]) so every triangle has unit area
 * in Hz. Mel scales: Slaney (linear 200/3 Hz per mel below 1 kHz, logarithmic above with step
 * ln(6.4)/27) or HTK (2595 log10(1 + f/700)).
 *
 * <p>Sparsity: for the paper's 128 bands over 513 bins each bin lies in at most two triangles, so
 * applying the bank costs about 2K multiply-adds per frame instead of M K for a dense matrix.
 *
 * <p>Omitted: other norms (librosa's p-norm option), fmax above Nyquist warnings.
 */
public final class MelFilterbank {

    /** Which mel scale places the band edges. */
    public enum Scale { SLANEY, HTK }

    private final int nMels;
    private final int bins;
    private final int[] lo;        // (M) first non-zero bin of band m
    private final int[] len;       // (M) number of non-zero bins of band m
    private final float[][] w;     // (M)(len[m]) weights
    private final double[][] wd;   // (M)(len[m]) the same in double, for references

    /**
     * @param norm true for Slaney area normalisation (librosa norm='slaney', the paper's), false for
     *             peak 1 triangles (norm=None).
     */
    public MelFilterbank(int sampleRate, int nFft, int nMels, double fmin, double fmax, Scale scale, boolean norm) {
        if (nMels < 1 || nFft < 2 || !(fmin >= 0) || !(fmax > fmin) || fmax > sampleRate / 2.0 + 1e-9) {
            throw new IllegalArgumentException("bad filterbank: sr " + sampleRate + ", nFft " + nFft + ", nMels "
                    + nMels + ", fmin " + fmin + ", fmax " + fmax);
        }
        this.nMels = nMels;
        this.bins = nFft / 2 + 1;
        double[] f = new double[nMels + 2];
        double m0 = hzToMel(fmin, scale);
        double m1 = hzToMel(fmax, scale);
        for (int i = 0; i < f.length; i++) {
            // librosa: np.linspace(min_mel, max_mel, n_mels + 2)
            f[i] = melToHz(m0 + (m1 - m0) * i / (nMels + 1), scale);
        }
        lo = new int[nMels];
        len = new int[nMels];
        w = new float[nMels][];
        wd = new double[nMels][];
        double[] row = new double[bins];
        for (int m = 0; m < nMels; m++) {
            double fdiff0 = f[m + 1] - f[m];
            double fdiff1 = f[m + 2] - f[m + 1];
            double enorm = norm ? 2.0 / (f[m + 2] - f[m]) : 1.0;
            int first = -1;
            int last = -2;
            for (int k = 0; k < bins; k++) {
                double fk = (double) k * sampleRate / nFft;
                // Same operation order as librosa: ramps = mel_f - fftfreqs; lower = -ramps[i] / fdiff[i].
                double lower = -(f[m] - fk) / fdiff0;
                double upper = (f[m + 2] - fk) / fdiff1;
                double v = Math.max(0.0, Math.min(lower, upper)) * enorm;
                row[k] = v;
                if (v != 0.0) {
                    if (first < 0) {
                        first = k;
                    }
                    last = k;
                }
            }
            if (first < 0) {   // empty band (too many bands for nFft): keep a zero-length run
                first = 0;
                last = -1;
            }
            lo[m] = first;
            len[m] = last - first + 1;
            w[m] = new float[len[m]];
            wd[m] = new double[len[m]];
            for (int j = 0; j < len[m]; j++) {
                wd[m][j] = row[first + j];
                w[m][j] = (float) row[first + j];
            }
        }
    }

    /** The paper's bank: 22050 Hz, nFft 1024, 128 Slaney bands over 0-11025 Hz, area-normalised. */
    public static MelFilterbank paper() {
        return new MelFilterbank(22050, 1024, 128, 0.0, 11025.0, Scale.SLANEY, true);
    }

    public int nMels() {
        return nMels;
    }

    public int bins() {
        return bins;
    }

    /**
     * out[outOff + m] = sum_k W[m,k] spec[specOff + k] for one frame. out: written (M values).
     * spec: read (K values).
     */
    public void apply(float[] out, int outOff, float[] spec, int specOff) {
        for (int m = 0; m < nMels; m++) {
            float[] wm = w[m];
            int base = specOff + lo[m];
            float acc = 0f;
            for (int j = 0; j < wm.length; j++) {
                acc += wm[j] * spec[base + j];
            }
            out[outOff + m] = acc;
        }
    }

    /** First non-zero bin of band m. */
    int first(int m) {
        return lo[m];
    }

    /** The non-zero weights of band m (bins first(m) ..), shared: read only. */
    float[] weights(int m) {
        return w[m];
    }

    /** The dense matrix (M, K) row-major, in double (as librosa's float64 result). */
    public double[] dense() {
        double[] d = new double[nMels * bins];
        for (int m = 0; m < nMels; m++) {
            System.arraycopy(wd[m], 0, d, m * bins + lo[m], len[m]);
        }
        return d;
    }

    /** Number of stored non-zero weights (the multiply-adds per frame). */
    public int nonZeros() {
        int s = 0;
        for (int l : len) {
            s += l;
        }
        return s;
    }

    /** Hz to mel on the given scale. */
    public static double hzToMel(double hz, Scale scale) {
        if (scale == Scale.HTK) {
            return 2595.0 * StrictMath.log10(1.0 + hz / 700.0);
        }
        double fSp = 200.0 / 3;
        double mel = hz / fSp;
        double minLogHz = 1000.0;
        if (hz >= minLogHz) {
            double minLogMel = minLogHz / fSp;
            double logstep = StrictMath.log(6.4) / 27.0;
            mel = minLogMel + StrictMath.log(hz / minLogHz) / logstep;
        }
        return mel;
    }

    /** Mel to Hz on the given scale. */
    public static double melToHz(double mel, Scale scale) {
        if (scale == Scale.HTK) {
            return 700.0 * (StrictMath.pow(10.0, mel / 2595.0) - 1.0);
        }
        double fSp = 200.0 / 3;
        double hz = fSp * mel;
        double minLogHz = 1000.0;
        double minLogMel = minLogHz / fSp;
        if (mel >= minLogMel) {
            double logstep = StrictMath.log(6.4) / 27.0;
            hz = minLogHz * StrictMath.exp(logstep * (mel - minLogMel));
        }
        return hz;
    }
}
