package dev.mtdtl.dsp;

import dev.mtdtl.tensor.Parallel;

/**
 * Audio to (dB-)mel spectrogram in the CNN layout (C, T, M): channel, frame (time), mel band. This
 * is the transpose of librosa's per-channel (M, T). Letters: C channels, N samples per channel,
 * T = 1 + floor(N / hop) frames, K = nFft/2 + 1 bins, M mel bands.
 *
 * <p>Per group of L frames of one channel, fused so the (T, K) spectrogram never exists: window + pad,
 * real FFT across frames, |X|^2 (or |X|), sparse mel ({@link MelFilterbank}), optional log ({@link LaneMel};
 * JTransforms frame by frame when nFft is not a power of two). Groups of all channels are one parallel loop
 * in chunks of 32 frames (chunking independent of the thread count, every frame written by exactly one
 * chunk, and a frame's bits independent of its group: bit-identical for any thread count). The top_db clip needs
 * the maximum over the whole file, so it is a second, cheap pass.
 *
 * <p>Cost per frame (paper settings): one 1024-point real FFT (~ 2.5 n log2 n = 25k flops),
 * 513 |X|^2, ~1k mel multiply-adds, 128 log10. Memory: reads 4N bytes, writes 4 T M bytes per channel.
 *
 * <p>Instances are immutable and thread-safe (scratch is per chunk): share one per configuration.
 *
 * <p>Omitted: per-channel top_db, ref other than 1, power other than 1 and 2.
 */
public final class MelSpectrogram {

    private static final int GRAIN = 32;   // frames per parallel chunk

    private final MelConfig cfg;
    private final Stft stft;
    private final MelFilterbank fb;
    private final LaneMel lanes;   // null when nFft is not a power of two (then JTransforms, frame by frame)

    public MelSpectrogram(MelConfig cfg) {
        this.cfg = cfg;
        this.stft = new Stft(cfg.nFft(), cfg.hop(), cfg.padMode());
        this.fb = cfg.filterbank();
        this.lanes = LaneMel.supports(cfg) ? new LaneMel(cfg, fb) : null;
    }

    public MelConfig config() {
        return cfg;
    }

    public MelFilterbank filterbank() {
        return fb;
    }

    /** Frames for N samples per channel. */
    public int frames(int n) {
        return stft.frames(n);
    }

    /**
     * Linear mel spectrogram (no log): out[(c T + t) M + m] = sum_k W[m,k] |X_c[k,t]|^power.
     * out: written, length >= C T M. audio: read, planar (C, N).
     */
    public void mel(float[] out, float[] audio, int channels, int n) {
        run(out, audio, channels, n, false);
    }

    /**
     * dB-mel with the configured top_db clip over all C T M values (the paper's front end).
     * out: written, length >= C T M. audio: read, planar (C, N).
     */
    public void dbMel(float[] out, float[] audio, int channels, int n) {
        run(out, audio, channels, n, true);
        Db.clipTopDb(out, 0, channels * frames(n) * fb.nMels(), cfg.topDb());
    }

    /** dB-mel of decoded audio at the configured rate, as a new (C, T, M) array. */
    public float[] dbMel(Audio a) {
        if (a.sampleRate() != cfg.sampleRate()) {
            throw new IllegalArgumentException("audio at " + a.sampleRate() + " Hz, the front end expects "
                    + cfg.sampleRate() + " Hz: resample first");
        }
        float[] out = new float[a.channels() * frames(a.frames()) * fb.nMels()];
        dbMel(out, a.samples(), a.channels(), a.frames());
        return out;
    }

    private void run(float[] out, float[] audio, int channels, int n, boolean log) {
        if (n < 1 || channels < 1) {
            throw new IllegalArgumentException("need at least one sample and one channel: " + channels + " x " + n);
        }
        int frames = frames(n);
        int m = fb.nMels();
        if (out.length < (long) channels * frames * m || audio.length < (long) channels * n) {
            throw new IllegalArgumentException("out or audio too short for " + channels + " x " + n);
        }
        // units of L frames of one channel (the last of each channel partial): fixed by T, not by the threads
        int per = (frames + LaneMel.L - 1) / LaneMel.L;
        Parallel.forChunks(channels * per, GRAIN / LaneMel.L, (chunk, from, to) -> {
            for (int u = from; u < to; u++) {
                int c = u / per;
                int t0 = (u - c * per) * LaneMel.L;
                int count = Math.min(LaneMel.L, frames - t0);
                frames(out, (c * frames + t0) * m, audio, c * n, n, t0, count, log);
            }
        });
    }

    /**
     * Frames [t0, t0 + count) of the signal x[off .. off+n) into out from o, M values per frame: window, FFT, power
     * (or magnitude), mel, and dB when {@code log} (no top_db clip). Shared by the whole-file path and
     * {@link DbMelStream}: a frame's bits do not depend on how frames are grouped ({@link LaneMel}), so both agree.
     */
    void frames(float[] out, int o, float[] x, int off, int n, int t0, int count, boolean log) {
        int m = fb.nMels();
        if (lanes != null) {
            for (int t = 0; t < count; t += LaneMel.L) {
                lanes.group(out, o + t * m, x, off, n, t0 + t, Math.min(LaneMel.L, count - t));
            }
            if (log) {
                // The dB as a pass of its own over the frames just written (in L1/L2), not inside the group: the
                // group's compiled code (gather, FFT, power, mel bank) reaches C2's NodeCountInliningCutoff, and a
                // dB call at its end was, in some JVMs, left as a call, each mel vector boxed across it (8 MB
                // allocated per 30 s clip, a quarter of the DSP's time in an embed run; bench/RESULTS.md, session
                // 41). Here the call sits in a small method and the vectors stay in registers. Same values: the
                // same dbLanes arithmetic on the same floats.
                Db.toDbLanes(out, o, count * m, cfg.power() == 1 ? 20f : 10f, (float) cfg.amin());
            }
            return;
        }
        float[] buf = new float[cfg.nFft()];
        float[] spec = new float[stft.bins()];
        for (int t = 0; t < count; t++) {
            frame(out, o + t * m, x, off, n, t0 + t, buf, spec, log);
        }
    }

    /**
     * One frame t of the signal x[off .. off+n) into out[o .. o+M) by JTransforms (nFft not a power of two).
     * buf (nFft) and spec (K): caller-owned scratch.
     */
    private void frame(float[] out, int o, float[] x, int off, int n, int t, float[] buf, float[] spec, boolean log) {
        int nFft = cfg.nFft();
        stft.transformFrame(buf, x, off, n, t);
        Stft.power(spec, 0, buf, nFft);
        if (cfg.power() == 1) {
            for (int k = 0; k < spec.length; k++) {
                spec[k] = (float) Math.sqrt(spec[k]);
            }
        }
        fb.apply(out, o, spec, 0);
        if (log) {
            Db.toDbInPlace(out, o, fb.nMels(), cfg.power() == 1 ? 20f : 10f, (float) cfg.amin());
        }
    }
}
