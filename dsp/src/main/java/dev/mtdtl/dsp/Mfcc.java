package dev.mtdtl.dsp;

/**
 * MFCCs from a dB-mel spectrogram, as {@code librosa.feature.mfcc(S=dbmel, n_mfcc, dct_type=2,
 * norm='ortho', lifter=0)}: an orthonormal DCT-II along the mel axis, first {@code nMfcc} coefficients.
 * Letters: T frames, M mel bands, D = nMfcc coefficients.
 *
 * <p>{@code mfcc[t, k] = sqrt(2/M) s_k sum_m S[t, m] cos(pi k (2m + 1) / (2M))}, s_0 = 1/sqrt(2),
 * s_k = 1 otherwise (scipy.fft.dct type 2, norm 'ortho'). The (D, M) basis is built in double and
 * rounded once; a frame costs D M multiply-adds (2560 for the paper's 20 x 128), cheap next to the
 * FFT, so no fast DCT is used.
 *
 * <p>Omitted: liftering, DCT types 1 and 3.
 */
public final class Mfcc {

    private final int nMels;
    private final int nMfcc;
    private final float[] basis;   // (D, M)

    public Mfcc(int nMels, int nMfcc) {
        if (nMfcc < 1 || nMfcc > nMels) {
            throw new IllegalArgumentException("need 1 <= nMfcc <= nMels: " + nMfcc + ", " + nMels);
        }
        this.nMels = nMels;
        this.nMfcc = nMfcc;
        this.basis = new float[nMfcc * nMels];
        for (int k = 0; k < nMfcc; k++) {
            double s = Math.sqrt(2.0 / nMels) * (k == 0 ? Math.sqrt(0.5) : 1.0);
            for (int m = 0; m < nMels; m++) {
                basis[k * nMels + m] = (float) (s * StrictMath.cos(Math.PI * k * (2 * m + 1) / (2.0 * nMels)));
            }
        }
    }

    /** 20 coefficients from 128 bands (librosa's default n_mfcc on the paper's mel). */
    public static Mfcc paper() {
        return new Mfcc(128, 20);
    }

    public int nMfcc() {
        return nMfcc;
    }

    public int nMels() {
        return nMels;
    }

    /**
     * out[(t) D + k] = DCT-II(db[t, :])[k] for t in [0, frames). out: written at outOff, (T, D).
     * db: read at dbOff, (T, M).
     */
    public void apply(float[] out, int outOff, float[] db, int dbOff, int frames) {
        for (int t = 0; t < frames; t++) {
            int in = dbOff + t * nMels;
            for (int k = 0; k < nMfcc; k++) {
                int b = k * nMels;
                // four partial sums: breaks the add dependency chain, and the order is fixed
                float a0 = 0f;
                float a1 = 0f;
                float a2 = 0f;
                float a3 = 0f;
                int m = 0;
                for (; m + 3 < nMels; m += 4) {
                    a0 += basis[b + m] * db[in + m];
                    a1 += basis[b + m + 1] * db[in + m + 1];
                    a2 += basis[b + m + 2] * db[in + m + 2];
                    a3 += basis[b + m + 3] * db[in + m + 3];
                }
                for (; m < nMels; m++) {
                    a0 += basis[b + m] * db[in + m];
                }
                out[outOff + t * nMfcc + k] = (a0 + a1) + (a2 + a3);
            }
        }
    }
}
