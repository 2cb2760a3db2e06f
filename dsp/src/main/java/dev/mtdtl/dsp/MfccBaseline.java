package dev.mtdtl.dsp;

/**
 * The MFCC baseline of the paper (decision 18 of the reference digest, the authors'
 * {@code tool.py::mfcc_baseline}): from the stored dB-mel (C, T, M), average the channels in the dB
 * domain, take 20 MFCCs (orthonormal DCT-II), Delta and Delta-Delta, and the mean and population std
 * (ddof 0) over time of each: 6 x 20 = 120 values per track.
 *
 * <p>Options, because the fixtures (librosa) and the paper's code differ:
 * {@link DeltaKind#DIFF} (paper code: Delta = x[t+1] - x[t], T-1 frames; Delta-Delta = diff of Delta,
 * T-2 frames) or {@link DeltaKind#SAVGOL9} (librosa.feature.delta, width 9, 'interp', T frames each);
 * {@link Order#PER_FEATURE} (paper code: mean(mfcc), std(mfcc), mean(D), std(D), mean(DD), std(DD)) or
 * {@link Order#MEANS_THEN_STDS} (fixture dsp_mfcc: the three means, then the three stds).
 *
 * <p>Means and stds are two-pass in double (stable for dB values around -40 with spreads of ~10).
 *
 * <p>Omitted: liftering and standardising the mel first (the paper's baseline does neither).
 */
public final class MfccBaseline {

    /** How Delta and Delta-Delta are computed. */
    public enum DeltaKind { DIFF, SAVGOL9 }

    /** Where the means and stds go in the 120 values. */
    public enum Order { PER_FEATURE, MEANS_THEN_STDS }

    /** Length of the feature vector: 3 blocks (mfcc, Delta, Delta-Delta) x [mean, std] x D. */
    public static int dims(int nMfcc) {
        return 6 * nMfcc;
    }

    private MfccBaseline() {}

    /** The paper's baseline: channel-averaged dB-mel, plain differences, per-feature order. */
    public static float[] paper(float[] dbMel, int channels, int frames, int nMels) {
        return compute(dbMel, channels, frames, new Mfcc(nMels, 20), DeltaKind.DIFF, Order.PER_FEATURE);
    }

    /**
     * 120-d (for 20 MFCCs) vector from a dB-mel (C, T, M), channels averaged first.
     * Needs T >= 3 (DIFF) or T >= 9 (SAVGOL9).
     */
    public static float[] compute(float[] dbMel, int channels, int frames, Mfcc mfcc, DeltaKind deltas, Order order) {
        int m = mfcc.nMels();
        float[] avg = new float[frames * m];   // (T, M)
        average(avg, dbMel, channels, frames * m);
        float[] out = new float[dims(mfcc.nMfcc())];
        aggregate(out, 0, avg, 0, frames, mfcc, deltas, order);
        return out;
    }

    /**
     * The channels' average in the dB domain: avg[i] += db[c n + i] channel by channel, then times 1/C (avg: zeros
     * on entry, n values; db: (C, n)). Also for a streamed dB-mel's windows ({@link Features#mfcc}): the same values.
     */
    static void average(float[] avg, float[] db, int channels, int n) {
        for (int c = 0; c < channels; c++) {
            int off = c * n;
            for (int i = 0; i < n; i++) {
                avg[i] += db[off + i];
            }
        }
        float inv = 1f / channels;
        for (int i = 0; i < n; i++) {
            avg[i] *= inv;
        }
    }

    /**
     * MFCCs, deltas and their [mean, std] of one (T, M) dB-mel. out: written, 6 D values at outOff.
     * db: read at dbOff, (T, M).
     */
    public static void aggregate(float[] out, int outOff, float[] db, int dbOff, int frames, Mfcc mfcc,
                                 DeltaKind deltas, Order order) {
        int d = mfcc.nMfcc();
        int min = deltas == DeltaKind.DIFF ? 3 : 9;
        if (frames < min) {
            throw new IllegalArgumentException("MFCC deltas (" + deltas + ") need at least " + min + " frames, got "
                    + frames);
        }
        float[] x = new float[frames * d];
        mfcc.apply(x, 0, db, dbOff, frames);
        fromMfcc(out, outOff, x, frames, d, deltas, order);
    }

    /**
     * Deltas and the [mean, std] of MFCCs x (T, D) already computed (at least 3 frames for DIFF, 9 for SAVGOL9):
     * {@link #aggregate}'s second half. out: written, 6 D values at outOff.
     */
    static void fromMfcc(float[] out, int outOff, float[] x, int frames, int d, DeltaKind deltas, Order order) {
        float[] d1;
        float[] d2;
        int n1;
        int n2;
        if (deltas == DeltaKind.DIFF) {
            n1 = frames - 1;
            n2 = frames - 2;
            d1 = new float[n1 * d];
            d2 = new float[n2 * d];
            Deltas.diff(d1, x, frames, d);
            Deltas.diff(d2, d1, n1, d);
        } else {
            n1 = frames;
            n2 = frames;
            d1 = new float[frames * d];
            d2 = new float[frames * d];
            Deltas.savgol(d1, x, frames, d, 9, 1);
            Deltas.savgol(d2, x, frames, d, 9, 2);
        }
        float[][] blocks = {x, d1, d2};
        int[] rows = {frames, n1, n2};
        for (int b = 0; b < 3; b++) {
            int meanAt = order == Order.PER_FEATURE ? 2 * b * d : b * d;
            int stdAt = order == Order.PER_FEATURE ? (2 * b + 1) * d : (3 + b) * d;
            meanStd(out, outOff + meanAt, outOff + stdAt, blocks[b], rows[b], d);
        }
    }

    /** Column means and population stds (ddof 0) of x (rows, dims), two-pass in double. */
    static void meanStd(float[] out, int meanAt, int stdAt, float[] x, int rows, int dims) {
        for (int j = 0; j < dims; j++) {
            double s = 0;
            for (int r = 0; r < rows; r++) {
                s += x[r * dims + j];
            }
            double mean = s / rows;
            double ss = 0;
            for (int r = 0; r < rows; r++) {
                double e = x[r * dims + j] - mean;
                ss += e * e;
            }
            out[meanAt + j] = (float) mean;
            out[stdAt + j] = (float) Math.sqrt(ss / rows);
        }
    }
}
