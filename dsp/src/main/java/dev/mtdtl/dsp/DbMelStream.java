package dev.mtdtl.dsp;

import dev.mtdtl.tensor.ColdStart;
import dev.mtdtl.tensor.Parallel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The paper's stereo dB-mel of a WAV, AIFF, MP3, FLAC or Ogg Vorbis file, computed window by window in bounded memory
 * (the samples read by {@link AudioWindow}: from a WAV or AIFF file where they lie, or decoded forward): the same
 * bits as {@link Features#dbMel} on the whole file (mono duplicated, resampled to the configuration's rate,
 * reflect-padded centred STFT, mel, dB, top_db clip against the whole file's maximum).
 *
 * <p>How it stays exact: each mel frame depends only on nFft resampled samples around it (the reflect padding
 * at the file's ends reaches at most nFft/2 samples inward), and each resampled sample only on the filter's
 * taps around it ({@link Resampler#processRange}); so frames [t0, t1) are computed from the source window
 * that feeds them, with the same arithmetic as the whole-file path ({@link MelSpectrogram#frames}: a frame's bits
 * do not depend on how frames are grouped).
 * The top_db clip needs the maximum over every frame first: {@link #max} is a first pass over the file
 * (a maximum does not depend on the order it is taken in). A compressed file's length is known only once its decoder
 * has reached the end ({@link AudioWindow#framesKnown}), so that pass also learns it: it computes a part of frames as
 * soon as the decoder has gone past every sample the part reads (its resampler taps and FFT windows then cannot reach
 * the file's end, so they are the same whatever the length turns out to be), and the last parts once the end is known.
 *
 * <p>Memory per call: the output, and the source window of at most {@value #PART} frames at a time (about
 * {@value #PART} x hop x inRate/outRate samples per channel, plus the filter's and the FFT's margins). A file short
 * enough keeps its first pass's frames and serves {@link #read} from them, so it is decoded, resampled and transformed
 * once, not twice: at most {@value #KEEP_FRAMES} frames (47.5 s at the paper's 22.05 kHz and hop 256: previews and
 * clips; 4 MB, the size of a longer file's first-pass window), or frames that take at most an eighth of the heap
 * ({@link #KEEP_HEAP_SHARE}; 10 minutes are 53 MB); the window of a file kept is closed after that pass (a compressed
 * file's decoder and its buffer let go). A longer file is computed again window by window, its memory bounded whatever
 * its length (an MP3, FLAC or Ogg file is then decoded twice, a kept one once: the first pass also counts its frames).
 * Supports WAV (integer, float and G.711 PCM), AIFF and AIFF-C, MP3, FLAC and Ogg Vorbis (their first two channels);
 * not AU.
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
    private long n = -1;             // samples per channel after resampling, once the file's length is known
    private int frames = -1;         // T, once the file's length is known
    private final int keepFrames;    // files of at most these frames keep their first pass
    private float max = Float.NaN;   // of every dB value, after the first pass
    private List<float[]> kept;      // the first pass of a file of at most keepFrames frames: windows (2, keptStep, M)
    private int keptStep;            // frames a kept window holds (the last may hold fewer)
    private boolean open = true;     // the audio window: closed once the first pass is kept

    private DbMelStream(AudioWindow wav, MelConfig cfg, int keepFrames) throws IOException {
        this.wav = wav;
        this.keepFrames = keepFrames;
        this.cfg = cfg;
        this.ms = new MelSpectrogram(cfg);
        this.rs = wav.sampleRate() == cfg.sampleRate() ? null : Resampler.hq(wav.sampleRate(), cfg.sampleRate());
        if (wav.framesKnown()) {
            length(wav.frames());
        }
    }

    /**
     * A file longer than this ends the kernels' scalar start ({@link ColdStart}) once its length is known: at its
     * opening when the header gives it, else after the first pass (a long MP3's network then starts vector).
     */
    static final int LONG_SECONDS = 60;

    /** The file's length is known: {@code srcFrames} at its own rate. */
    private void length(int srcFrames) {
        n = rs == null ? srcFrames : rs.outputLength(srcFrames);
        frames = ms.frames((int) n);
        if (srcFrames > LONG_SECONDS * (long) wav.sampleRate()) {
            ColdStart.endForBatch();   // a long file pays the vector warm-up anyway, sooner without the scalar start
        }
    }

    /**
     * Open a WAV, AIFF, MP3, FLAC or Ogg Vorbis file; AU is refused (use Features.dbMel). A
     * compressed file is decoded from the first call that needs its frames on ({@link #frames}, {@link #max},
     * {@link #read}), and a damaged or empty one is refused there, naming the file.
     */
    public static DbMelStream open(Path file, MelConfig cfg) throws IOException {
        DbMelStream s = tryOpen(file, cfg);
        if (s == null) {
            throw new AudioDecodeException(file, "streaming reads WAV, AIFF, MP3, FLAC and Ogg Vorbis files; "
                    + "decode this one whole (Features.dbMel)");
        }
        return s;
    }

    /**
     * {@link #open(Path, MelConfig)}, or null for a file of a format decoded whole only (AU).
     */
    public static DbMelStream tryOpen(Path file, MelConfig cfg) throws IOException {
        return open(file, cfg, KEEP_FRAMES, Runtime.getRuntime().maxMemory() / KEEP_HEAP_SHARE);
    }

    /**
     * A file whose first pass's frames take at most this share of the heap (or that has at most {@value #KEEP_FRAMES}
     * frames) keeps them: a song of a few minutes is then decoded, resampled and transformed once, as a whole decode
     * did (a folder of 4-minute MP3s embedded 1.6-2.1x slower when only 47.5 s were kept), and a long one in a small
     * heap is still streamed.
     */
    static final int KEEP_HEAP_SHARE = 8;

    /** Heap a folder run allows each file it streams at once ({@link #filesAtOnce}). */
    static final long HEAP_PER_FILE = 384L << 20;

    /**
     * How many files a folder run ({@code Embedder.embedAll}, {@code mtdtl mel|mfcc --in DIR}) streams at once, one a
     * thread (a compressed file's decoder runs on one core): the thread count, while each file has
     * {@link #HEAP_PER_FILE} of heap (a first pass may keep an eighth of the heap, and a long compressed file's decoding
     * and parts take some 40 MB more: two 10-minute files at once ran out of {@code -Xmx80m} in one run of two), else
     * fewer, at least one. The bits do not depend on it.
     */
    public static int filesAtOnce() {
        return (int) Math.max(1, Math.min(Parallel.threads(), Runtime.getRuntime().maxMemory() / HEAP_PER_FILE));
    }

    /**
     * How many of {@code files} from {@code from} on a folder run streams at once: a run of files decoded forward (MP3,
     * FLAC, Ogg: their decoder keeps one core busy, the file's own loops are a small part of its time), at most
     * {@link #filesAtOnce}; else one (a WAV or AIFF file's time is its loops, which use every thread when it runs
     * alone: a 10-minute WAV run beside a 10-second one took 1.8x its time). By the file's extension: a scheduling
     * choice only, a misnamed file's bits are the same either way.
     */
    public static int together(java.util.List<Path> files, int from) {
        int most = Math.min(filesAtOnce(), files.size() - from);
        int n = 0;
        while (n < most && decodedForward(files.get(from + n))) {
            n++;
        }
        return Math.max(1, n);
    }

    private static boolean decodedForward(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".mp3") || name.endsWith(".flac") || name.endsWith(".ogg") || name.endsWith(".oga");
    }

    /** {@link #tryOpen} keeping the first pass of files of at most {@code keepFrames} frames or {@code keepBytes}. */
    static DbMelStream open(Path file, MelConfig cfg, int keepFrames, long keepBytes) throws IOException {
        AudioWindow w = AudioDecoder.window(file);
        long keep = Math.max(keepFrames, keepBytes / (2L * 4 * cfg.nMels()));   // (2, T, M) float32
        return w == null ? null : new DbMelStream(w, cfg, (int) Math.min(Integer.MAX_VALUE, keep));
    }

    /** Mel frames T of the whole file (of a compressed file: its first call runs {@link #max}'s pass). */
    public int frames() throws IOException {
        if (frames < 0) {
            max();
        }
        return frames;
    }

    /**
     * The maximum dB value over both channels and every frame (first call: one pass over the file, which learns a
     * compressed file's length, kept for {@link #read} when the file is short enough: {@link #KEEP_HEAP_SHARE}).
     */
    public float max() throws IOException {
        if (Float.isNaN(max)) {
            int m = cfg.nMels();
            // one window of the whole file when it is known to be kept, windows of STEP frames when it is known not
            // to be; of PART frames while the length is unknown (kept ones then hold at most a part's worth unused:
            // a 10 s clip's first pass is not 4 MB)
            int step = frames < 0 ? PART : frames <= keepFrames ? frames : STEP;
            List<float[]> windows = new ArrayList<>();
            boolean keep = frames < 0 || frames <= keepFrames;
            float mx = Float.NEGATIVE_INFINITY;
            float[] buf = null;   // (2, step, M): channel c, frame t0 + i at (c step + i) M
            for (int t0 = 0; frames < 0 || t0 < frames; t0 += step) {
                if (buf == null || keep) {
                    buf = new float[2 * step * m];
                }
                int t1 = firstPass(t0, t0 + step, buf, step);
                if (t1 <= t0) {
                    break;   // the file ended at the window's start
                }
                for (int c = 0; c < 2; c++) {
                    for (int i = c * step * m; i < (c * step + t1 - t0) * m; i++) {
                        mx = Math.max(mx, buf[i]);
                    }
                }
                if (keep && t1 > keepFrames) {
                    keep = false;
                    windows = null;
                }
                if (keep) {
                    windows.add(buf);   // a frame's bits do not depend on its window
                }
            }
            max = mx;
            if (keep) {
                kept = windows;
                keptStep = step;
                open = false;
                wav.close();   // never read again: a compressed file's decoder lets its samples go
            }
        }
        return max;
    }

    /**
     * The first pass's frames [t0, min(t1, T)) into out (2, tf, M) from frame t0, {@link #PART} at a time; returns
     * where they end. While the file's length is unknown, the decoder goes as far as a part reads ({@link #part}'s
     * resampled window, the resampler's taps for it): if the file goes on past that, the part is computed with that
     * much of the file, and every value is the one the whole file gives (no FFT window is reflected at the end, no
     * tap reaches it); else the length is now known and the part computed with it.
     */
    private int firstPass(int t0, int t1, float[] out, int tf) throws IOException {
        int nFft = cfg.nFft();
        int hop = cfg.hop();
        int t = t0;
        while (t < t1 && (frames < 0 || t < frames)) {
            int e = Math.min(t1, t + PART);
            if (frames < 0) {
                long lo = Math.max(0, (long) t * hop - nFft);   // part's resampled window [lo, hi) before the clip to n
                long hi = (long) (e - 1) * hop + nFft + 1;
                long from = rs == null ? lo : Math.max(0, rs.inputFrom(lo));
                long need = rs == null ? hi : Math.max(rs.inputTo(hi), rs.inputLength(hi));
                long got = wav.reach(from, need);
                if (!wav.framesKnown()) {   // got == need: the file goes on past this part's window
                    part(t, e, out, t0, tf, rs == null ? got : rs.outputLength((int) got), (int) got);
                    t = e;
                    continue;
                }
                length(wav.frames());
                if (t >= frames) {
                    break;
                }
            }
            e = Math.min(e, frames);
            part(t, e, out, t0, tf, n, wav.frames());
            t = e;
        }
        return t;
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
                for (int t = t0; t < t1; ) {
                    int w = t / keptStep;
                    int e = Math.min(t1, (w + 1) * keptStep);
                    System.arraycopy(kept.get(w), (c * keptStep + t - w * keptStep) * m, out, (c * tf + t - t0) * m,
                            (e - t) * m);
                    t = e;
                }
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
            part(p0, Math.min(t1, p0 + PART), out, t0, t1 - t0, n, wav.frames());
        }
    }

    /**
     * Frames [t0, t1) of a read that starts at frame r0 and holds tf frames, into its out, from a file of
     * {@code srcFrames} frames, {@code sig} resampled samples (or, in the first pass of a file of unknown length, as
     * much as has been decoded: see {@link #firstPass}).
     */
    private void part(int t0, int t1, float[] out, int r0, int tf, long sig, int srcFrames) throws IOException {
        int nFft = cfg.nFft();
        int hop = cfg.hop();
        // resampled samples the frames read, with an nFft margin each side (covers the reflected edges)
        long lo = Math.max(0, (long) t0 * hop - nFft);
        long hi = Math.min(sig, (long) (t1 - 1) * hop + nFft + 1);
        int len = (int) (hi - lo);
        int ch = Math.min(2, wav.channels());   // a WAV window reads every channel; the first two are used
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
            int shi = (int) Math.min(srcFrames, rs.inputTo(hi));
            AudioWindow.Span src = wav.span(slo, Math.max(0, shi - slo));
            for (int c = 0; c < ch; c++) {
                segOff[c] = c * len;
                rs.processRange(seg, c * len, src.array(), src.offset(c), srcFrames, lo, hi);
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
                ms.frames(out, (c * tf + a - r0) * m, seg, segOff[sc] - (int) lo, (int) sig, a, b - a, true);
            }
        });
    }

    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            wav.close();
        }
    }
}
