package dev.mtdtl.dsp;

import dev.mtdtl.tensor.Parallel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The paper's stereo dB-mel of a WAV, MP3, FLAC or Ogg Vorbis file, computed window by window in bounded memory (the
 * samples read by {@link AudioWindow}: from the WAV file where they lie, or decoded forward): the same bits as
 * {@link Features#dbMel} on the whole file (mono duplicated, resampled to the configuration's rate,
 * reflect-padded centred STFT, mel, dB, top_db clip against the whole file's maximum).
 *
 * <p>How it stays exact: each mel frame depends only on nFft resampled samples around it (the reflect padding
 * at the file's ends reaches at most nFft/2 samples inward), and each resampled sample only on the filter's
 * taps around it ({@link Resampler#processRange}); so frames [t0, t1) are computed from the source window
 * that feeds them, with the same arithmetic as the whole-file path ({@link MelSpectrogram#frames}: a frame's bits
 * do not depend on how frames are grouped).
 * The top_db clip needs the maximum over every frame first: {@link #max} is a first pass over the file
 * (a maximum does not depend on the order it is taken in).
 *
 * <p>Memory per call: the output, and the source window of at most {@value #PART} frames at a time (about
 * {@value #PART} x hop x inRate/outRate samples per channel, plus the filter's and the FFT's margins). A file short
 * enough keeps its first pass's frames and serves {@link #read} from them, so it is decoded, resampled and transformed
 * once, not twice: at most {@value #KEEP_FRAMES} frames (47.5 s at the paper's 22.05 kHz and hop 256: previews and
 * clips; 4 MB, the size of a longer file's first-pass window), or frames that take at most an eighth of the heap
 * ({@link #KEEP_HEAP_SHARE}; 10 minutes are 53 MB), and a compressed file keeps its decoded samples on the same terms
 * ({@link BlockWindow}). A longer file is computed again window by window, its memory bounded whatever its length (an
 * MP3, FLAC or Ogg file is then decoded three times). Supports 1- and 2-channel WAV (integer or float PCM), MP3, FLAC
 * and Ogg Vorbis (their first two channels).
 */
public final class DbMelStream implements java.io.Closeable {

    private static final int GRAIN = 32;
    /** Frames computed from one window of samples (12 s at 22.05 kHz and hop 256): bounds a read's transient memory. */
    static final int PART = 1024;
    /** Frames of the maximum's pass at a time (95 s): the buffer of a long file's first pass. */
    private static final int STEP = 4096;
    /** Longest file whose first pass is kept for {@link #read}: (2, 4096, 128) floats, 4 MB, as one STEP window. */
    static final int KEEP_FRAMES = STEP;

    private final AudioWindow wav;
    private final MelSpectrogram ms;
    private final MelConfig cfg;
    private final Resampler rs;      // null when the file is at the configuration's rate
    private final long n;            // samples per channel after resampling
    private final int frames;        // T
    private final int keepFrames;    // files of at most these frames keep their first pass
    private float max = Float.NaN;   // of every dB value, after the first pass
    private float[] kept;            // (2, T, M) unclipped: the first pass of a file of at most keepFrames frames

    private DbMelStream(AudioWindow wav, MelConfig cfg, int keepFrames) {
        this.wav = wav;
        this.keepFrames = keepFrames;
        this.cfg = cfg;
        this.ms = new MelSpectrogram(cfg);
        this.rs = wav.sampleRate() == cfg.sampleRate() ? null : Resampler.hq(wav.sampleRate(), cfg.sampleRate());
        this.n = rs == null ? wav.frames() : rs.outputLength(wav.frames());
        this.frames = ms.frames((int) n);
    }

    /** Open a 1- or 2-channel WAV, an MP3, a FLAC or an Ogg Vorbis file; others are refused (use Features.dbMel). */
    public static DbMelStream open(Path file, MelConfig cfg) throws IOException {
        DbMelStream s = tryOpen(file, cfg);
        if (s == null) {
            throw new AudioDecodeException(file, "streaming reads 1- or 2-channel WAV, MP3, FLAC and Ogg Vorbis files; "
                    + "decode this one whole (Features.dbMel)");
        }
        return s;
    }

    /**
     * {@link #open(Path, MelConfig)}, or null for a file of a format decoded whole only (AIFF, AU, WAV of more
     * than two channels).
     */
    public static DbMelStream tryOpen(Path file, MelConfig cfg) throws IOException {
        return open(file, cfg, KEEP_FRAMES, Runtime.getRuntime().maxMemory() / KEEP_HEAP_SHARE);
    }

    /**
     * A file whose first pass's frames take at most this share of the heap (or that has at most {@value #KEEP_FRAMES}
     * frames) keeps them, and a compressed file whose decoded samples do keeps those ({@link BlockWindow}): a song of
     * a few minutes is then decoded, resampled and transformed once, as a whole decode did (a folder of 4-minute MP3s
     * embedded 1.6-2.1x slower when only 47.5 s were kept), and a long one in a small heap is still streamed.
     */
    static final int KEEP_HEAP_SHARE = 8;

    /**
     * {@link #tryOpen} keeping the first pass of files of at most {@code keepFrames} frames or {@code keepBytes} of
     * frames, and a compressed file's decoded samples when they last that long or take at most {@code keepBytes}.
     */
    static DbMelStream open(Path file, MelConfig cfg, int keepFrames, long keepBytes) throws IOException {
        AudioWindow w = AudioDecoder.window(file, keepFrames * (double) cfg.hop() / cfg.sampleRate(), keepBytes);
        long keep = Math.max(keepFrames, keepBytes / (2L * 4 * cfg.nMels()));   // (2, T, M) float32
        return w == null ? null : new DbMelStream(w, cfg, (int) Math.min(Integer.MAX_VALUE, keep));
    }

    /** Mel frames T of the whole file. */
    public int frames() {
        return frames;
    }

    /**
     * The maximum dB value over both channels and every frame (first call: one pass over the file, kept for
     * {@link #read} when the file is short enough: {@link #KEEP_HEAP_SHARE}).
     */
    public float max() throws IOException {
        if (Float.isNaN(max)) {
            int m = cfg.nMels();
            boolean keep = frames <= keepFrames;
            int step = keep ? frames : STEP;
            float mx = Float.NEGATIVE_INFINITY;
            float[] buf = new float[2 * Math.min(step, frames) * m];   // (2, frames of this window, M)
            for (int t0 = 0; t0 < frames; t0 += step) {
                int t1 = Math.min(frames, t0 + step);
                unclipped(t0, t1, buf);
                for (int i = 0; i < 2 * (t1 - t0) * m; i++) {
                    mx = Math.max(mx, buf[i]);
                }
            }
            max = mx;
            if (keep) {
                kept = buf;   // frames [0, T) in one window: a frame's bits do not depend on its window
            }
        }
        return max;
    }

    /**
     * The clipped dB-mel of frames [t0, t1) into out as (2, t1 - t0, M): channel c, frame t at
     * {@code out[(c (t1 - t0) + t - t0) M ..]}.
     */
    public void read(int t0, int t1, float[] out) throws IOException {
        float mx = max();
        int m = cfg.nMels();
        int tf = t1 - t0;
        int len = 2 * tf * m;
        if (kept != null) {
            checkRange(t0, t1);
            for (int c = 0; c < 2; c++) {
                System.arraycopy(kept, (c * frames + t0) * m, out, c * tf * m, tf * m);
            }
        } else {
            unclipped(t0, t1, out);
        }
        if (!Double.isInfinite(cfg.topDb())) {
            float floor = (float) (mx - cfg.topDb());   // as Db.clipTopDb
            for (int i = 0; i < len; i++) {
                if (out[i] < floor) {
                    out[i] = floor;
                }
            }
        }
    }

    private void checkRange(int t0, int t1) {
        if (t0 < 0 || t1 > frames || t0 >= t1) {
            throw new IllegalArgumentException("frames [" + t0 + ", " + t1 + ") outside [0, " + frames + ")");
        }
    }

    /**
     * The unclipped dB-mel of frames [t0, t1) into out (2, t1 - t0, M), {@link #PART} frames at a time: the samples,
     * the resampled copy and the resampler's input window are those of one part (12 s at the paper's rate), not of
     * the whole read (a batch of 32 slices is 80 s: 28 MB of 44.1 kHz stereo floats, another 14 MB resampled).
     */
    private void unclipped(int t0, int t1, float[] out) throws IOException {
        checkRange(t0, t1);
        for (int p0 = t0; p0 < t1; p0 += PART) {
            part(p0, Math.min(t1, p0 + PART), out, t0, t1 - t0);
        }
    }

    /** Frames [t0, t1) of a read that starts at frame r0 and holds tf frames, into its out. */
    private void part(int t0, int t1, float[] out, int r0, int tf) throws IOException {
        int nFft = cfg.nFft();
        int hop = cfg.hop();
        // resampled samples the frames read, with an nFft margin each side (covers the reflected edges)
        long lo = Math.max(0, (long) t0 * hop - nFft);
        long hi = Math.min(n, (long) (t1 - 1) * hop + nFft + 1);
        int len = (int) (hi - lo);
        int ch = wav.channels();
        float[] seg;       // the (resampled) signal [lo, hi): channel c's sample lo at segOff[c]
        int[] segOff = new int[ch];
        if (rs == null) {
            AudioWindow.Span s = wav.span((int) lo, len);   // where the window's samples lie
            seg = s.array();
            for (int c = 0; c < ch; c++) {
                segOff[c] = s.offset(c);
            }
        } else {
            seg = new float[ch * len];   // planar (ch, len)
            int slo = (int) Math.max(0, rs.inputFrom(lo));
            int shi = (int) Math.min(wav.frames(), rs.inputTo(hi));
            AudioWindow.Span src = wav.span(slo, Math.max(0, shi - slo));
            for (int c = 0; c < ch; c++) {
                segOff[c] = c * len;
                rs.processRange(seg, c * len, src.array(), src.offset(c), wav.frames(), lo, hi);
            }
        }
        int m = cfg.nMels();
        int per = (t1 - t0 + GRAIN - 1) / GRAIN;
        Parallel.forChunks(2 * per, 1, (chunk, from, to) -> {
            for (int u = from; u < to; u++) {
                int c = u / per;
                int a = t0 + (u - c * per) * GRAIN;
                int b = Math.min(t1, a + GRAIN);
                int sc = ch == 1 ? 0 : c;   // mono: both channels are the one channel (as Audio.toStereo)
                ms.frames(out, (c * tf + a - r0) * m, seg, segOff[sc] - (int) lo, (int) n, a, b - a, true);
            }
        });
    }

    @Override
    public void close() throws IOException {
        wav.close();
    }
}
