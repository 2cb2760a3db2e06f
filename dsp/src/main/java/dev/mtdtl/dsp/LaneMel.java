package dev.mtdtl.dsp;

import dev.mtdtl.tensor.ColdStart;
import jdk.incubator.vector.FloatVector;

/**
 * The mel of up to L consecutive frames of one channel at once, vectorised across frames
 * ({@link LaneFft}: lane j is frame t0 + j): window and centre padding while gathering the frames into the
 * lane-interleaved bit-reversed layout, the FFT, |X|^power and the sparse mel bank (each band only over its
 * non-zero bins, as a broadcast weight times a lane vector), one group at a time (64 KB at 16 lanes, in L1
 * and L2). Lanes past the last frame are zeros and never written out.
 *
 * <p>Bits: every lane runs the same float operations, so frame t's values do not depend on the group it is
 * computed in; the whole-file path ({@link MelSpectrogram}) and the windowed one ({@link DbMelStream}) group
 * differently and still agree bit for bit, at any thread count. The dB is {@link Db#dbLanes}, the same
 * arithmetic as {@link Db#toDbInPlace}'s vector path.
 *
 * <p>Cost per frame (paper settings): the FFT (~25 k flops), 513 |X|^2 (3 flops), ~1.1 k mel multiply-adds,
 * 128 logs; memory traffic: 4 nFft bytes of signal in (from cache: frames overlap 4x), 4 M bytes out.
 * Instances are immutable and thread-safe; scratch is per thread.
 */
final class LaneMel {

    static final int L = LaneFft.L;

    /**
     * Groups a JVM computes with the scalar twins first ({@link ColdStart}): 352, the frames of about 32 s of stereo
     * audio at the paper's hop (a 30 s preview is 2 x 2,584 frames, 324 groups).
     */
    private static final ColdStart COLD = new ColdStart(352);

    private final MelConfig cfg;
    private final LaneFft fft;
    private final MelFilterbank fb;
    private final float[] window;     // (nFft) periodic Hann, as Stft's
    private final int h;
    private final ThreadLocal<float[][]> scratch;   // re (h, L), im (h, L), power (K, L), mel (M, L)
    private final int[] laneStarts;   // (L) j * hop: where frame t0 + j starts, relative to frame t0

    LaneMel(MelConfig cfg, MelFilterbank fb) {
        this.cfg = cfg;
        this.fb = fb;
        int nFft = cfg.nFft();
        this.fft = new LaneFft(nFft);
        this.h = nFft / 2;
        this.window = new float[nFft];
        for (int m = 0; m < nFft; m++) {
            window[m] = (float) (0.5 - 0.5 * StrictMath.cos(2 * Math.PI * m / nFft));
        }
        laneStarts = new int[L];
        for (int j = 0; j < L; j++) {
            laneStarts[j] = j * cfg.hop();
        }
        int mels = fb.nMels();
        this.scratch = ThreadLocal.withInitial(() -> new float[][] {
            new float[h * L], new float[h * L], new float[(h + 1) * L], new float[mels * L]});
    }

    static boolean supports(MelConfig cfg) {
        return LaneFft.supports(cfg.nFft());
    }

    /**
     * Frames [t0, t0 + count) of the signal x[off .. off+n) (count in [1, L]) into out: frame t0 + j's mel
     * (power, or magnitude for power 1) at {@code out[o + j M .. + M)}.
     */
    void group(float[] out, int o, float[] x, int off, int n, int t0, int count) {
        float[][] s = scratch.get();
        if (COLD.scalar(1)) {
            groupScalar(out, o, x, off, n, t0, count, s);
        } else {
            groupVector(out, o, x, off, n, t0, count, s);
        }
    }

    /** {@link #group} by the Vector API. s: the thread's scratch. */
    private void groupVector(float[] out, int o, float[] x, int off, int n, int t0, int count, float[][] s) {
        float[] re = s[0];
        float[] im = s[1];
        float[] pw = s[2];
        float[] mel = s[3];
        int nFft = cfg.nFft();
        int start0 = t0 * cfg.hop() - nFft / 2;   // signal index of frame t0's sample 0
        if (count == L && start0 >= 0 && start0 + (L - 1) * cfg.hop() + nFft <= n) {
            gatherRows(re, im, x, off + start0);
        } else {
            gatherLanes(re, im, x, off, n, t0, count);
        }
        fft.transform(re, im);
        fft.power(pw, re, im, cfg.power());
        int mels = fb.nMels();
        for (int m = 0; m < mels; m++) {
            float[] wm = fb.weights(m);
            int base = fb.first(m) * L;
            FloatVector acc = FloatVector.zero(LaneFft.S);
            for (int i = 0; i < wm.length; i++) {
                FloatVector w = FloatVector.broadcast(LaneFft.S, wm[i]);
                acc = FloatVector.fromArray(LaneFft.S, pw, base + i * L).fma(w, acc);
            }
            acc.intoArray(mel, m * L);
        }
        store(out, o, mel, count);
    }

    /** Frames t0 .. t0 + count - 1 gathered lane by lane ({@link #gather}), the lanes past them zero. */
    private void gatherLanes(float[] re, float[] im, float[] x, int off, int n, int t0, int count) {
        for (int j = 0; j < L; j++) {
            if (j < count) {
                gather(re, im, j, x, off, n, t0 + j);
            } else {
                for (int q = j; q < h * L; q += L) {
                    re[q] = 0f;
                    im[q] = 0f;
                }
            }
        }
    }

    /** The group's mel (M, L) to out: frame j's M values at out[o + j M ..], for its first {@code count} lanes. */
    private void store(float[] out, int o, float[] mel, int count) {
        int mels = fb.nMels();
        for (int j = 0; j < count; j++) {
            int oj = o + j * mels;
            for (int m = 0; m < mels; m++) {
                out[oj + m] = mel[m * L + j];
            }
        }
    }

    /**
     * {@link #group} by the scalar twins ({@link ColdStart}): frames gathered lane by lane ({@link #gather}), the
     * FFT and |X|^power lane by lane, the mel bank's FMA chains lane by lane: the same float operations on the same
     * values in the same order, so the same bits.
     */
    private void groupScalar(float[] out, int o, float[] x, int off, int n, int t0, int count, float[][] s) {
        float[] re = s[0];
        float[] im = s[1];
        float[] pw = s[2];
        float[] mel = s[3];
        gatherLanes(re, im, x, off, n, t0, count);
        fft.transformScalar(re, im);
        fft.powerScalar(pw, re, im, cfg.power());
        int mels = fb.nMels();
        for (int m = 0; m < mels; m++) {
            float[] wm = fb.weights(m);
            int base = fb.first(m) * L;
            for (int j = 0; j < L; j++) {
                float acc = 0f;
                for (int i = 0; i < wm.length; i++) {
                    acc = Math.fma(pw[base + i * L + j], wm[i], acc);
                }
                mel[m * L + j] = acc;
            }
        }
        store(out, o, mel, count);
    }

    /**
     * A whole group of interior frames (no padding), row by row: row bitReversed(p) of re is the L frames'
     * sample 2p, one gather of L floats {@code hop} apart, times window[2p]. Each row is one cache line at 16
     * lanes, written once; lane by lane ({@link #gather}) every frame would touch all h rows of re and im, and
     * 16 such sweeps over 64 KB cost more than the FFT (dB-mel 8.7 -> 15.6 ms per 30 s stereo clip at 16
     * lanes). The product is the same float multiply as gather's, so the bits are the same.
     */
    private void gatherRows(float[] re, float[] im, float[] x, int base) {
        for (int p = 0; p < h; p++) {
            int q = fft.bitReversed(p) * L;
            FloatVector.fromArray(LaneFft.S, x, base + 2 * p, laneStarts, 0).mul(window[2 * p]).intoArray(re, q);
            FloatVector.fromArray(LaneFft.S, x, base + 2 * p + 1, laneStarts, 0).mul(window[2 * p + 1])
                    .intoArray(im, q);
        }
    }

    /** Windowed frame t into lane j, complex point n = samples (2n, 2n+1) at row bitReversed(n). */
    private void gather(float[] re, float[] im, int j, float[] x, int off, int n, int t) {
        int nFft = cfg.nFft();
        int start = t * cfg.hop() - nFft / 2;   // signal index of the frame's sample 0
        if (start >= 0 && start + nFft <= n) {
            int base = off + start;
            for (int p = 0; p < h; p++) {
                int q = fft.bitReversed(p) * L + j;
                re[q] = window[2 * p] * x[base + 2 * p];
                im[q] = window[2 * p + 1] * x[base + 2 * p + 1];
            }
        } else {
            for (int p = 0; p < h; p++) {
                int q = fft.bitReversed(p) * L + j;
                re[q] = window[2 * p] * sample(x, off, n, start + 2 * p);
                im[q] = window[2 * p + 1] * sample(x, off, n, start + 2 * p + 1);
            }
        }
    }

    /** Padded signal value at index i (Stft's centre padding). */
    private float sample(float[] x, int off, int n, int i) {
        if (i >= 0 && i < n) {
            return x[off + i];
        }
        return cfg.padMode() == Stft.PadMode.CONSTANT ? 0f : x[off + Stft.reflect(i, n)];
    }
}
