package dev.mtdtl.dsp;

import java.util.SplittableRandom;

/**
 * Cutting dB-mels (C, T, M) into the network's fixed-length inputs (C, L, M), L = 216 frames (2.5 s)
 * in the paper. Padding is 0 dB, as in the paper's code (decisions 5 and 6 of the reference digest;
 * 0 dB is loud, not silence, and becomes -mean/std after standardisation).
 *
 * <ul>
 *   <li>Training crop ({@link #randomCrop}): start uniform in [0, T - L] (the last start included,
 *       unlike the 2018 code's off-by-one); a clip shorter than L is placed at a uniform offset in
 *       [0, L - T] of an all-0-dB crop.</li>
 *   <li>Evaluation slices ({@link #slices}): ceil(T / L) non-overlapping slices from frame 0, the last
 *       one padded at its end with 0 dB; the padded slice is kept.</li>
 * </ul>
 *
 * <p>Omitted: overlapping slices (a hop), the 2018 code's off-by-one start range [0, T-217], padding
 * with anything but 0 dB (offer it in the caller's config if needed).
 */
public final class Crops {

    /** The paper's crop length in frames: 216 x 256 / 22050 = 2.508 s. */
    public static final int PAPER_FRAMES = 216;

    private Crops() {}

    /** Start frame of a training crop: uniform in [0, T - L], or 0 when T < L. */
    public static int randomStart(int frames, int length, SplittableRandom rng) {
        return frames >= length ? rng.nextInt(frames - length + 1) : 0;
    }

    /**
     * One random crop. out: written, (C, L, M). mel: read, (C, T, M). Draws exactly one random number.
     * Returns the crop's start frame in the clip (negative: the clip was placed at -start in the crop).
     */
    public static int randomCrop(float[] out, int outOff, float[] mel, int channels, int frames, int mels,
                                 int length, SplittableRandom rng) {
        if (frames >= length) {
            int s = rng.nextInt(frames - length + 1);
            for (int c = 0; c < channels; c++) {
                System.arraycopy(mel, (c * frames + s) * mels, out, outOff + c * length * mels, length * mels);
            }
            return s;
        }
        int at = rng.nextInt(length - frames + 1);
        java.util.Arrays.fill(out, outOff, outOff + channels * length * mels, 0f);
        for (int c = 0; c < channels; c++) {
            System.arraycopy(mel, c * frames * mels, out, outOff + (c * length + at) * mels, frames * mels);
        }
        return -at;
    }

    /** Number of evaluation slices: ceil(T / L) (0 for an empty clip). */
    public static int sliceCount(int frames, int length) {
        return (frames + length - 1) / length;
    }

    /**
     * All evaluation slices. out: written, (S, C, L, M) with S = sliceCount(T, L). mel: read, (C, T, M).
     */
    public static void slices(float[] out, float[] mel, int channels, int frames, int mels, int length) {
        int n = sliceCount(frames, length);
        for (int s = 0; s < n; s++) {
            int from = s * length;
            int have = Math.min(length, frames - from);
            for (int c = 0; c < channels; c++) {
                int o = ((s * channels + c) * length) * mels;
                System.arraycopy(mel, (c * frames + from) * mels, out, o, have * mels);
                java.util.Arrays.fill(out, o + have * mels, o + length * mels, 0f);
            }
        }
    }
}
