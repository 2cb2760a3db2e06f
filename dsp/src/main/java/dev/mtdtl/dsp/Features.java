package dev.mtdtl.dsp;

import dev.mtdtl.tensor.ColdStart;
import dev.mtdtl.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The whole front end for one file, as the CLI commands {@code mel} and {@code mfcc} and the corpus
 * builders use it: decode ({@link AudioDecoder}) → two channels ({@link Audio#toStereo}, decision 3) →
 * 22050 Hz ({@link Resampler}, HQ) → dB-mel (C=2, T, M=128) ({@link MelSpectrogram}, decision 1) →
 * optionally the 120-d MFCC baseline ({@link MfccBaseline#paper}, decision 18).
 *
 * <p>Batch use: {@link #melAll} runs files one after the other, skips the ones that fail to decode,
 * and returns them with their reason; outputs are written atomically, so a failed or interrupted
 * file leaves nothing behind.
 *
 * <p>Omitted: the mel store and any caching (the data module's job), parallelism across files.
 */
public final class Features {

    /** A dB-mel in the CNN layout: data (C, T, M). */
    public record Mel(float[] data, int channels, int frames, int mels) {
        public int[] shape() {
            return new int[] {channels, frames, mels};
        }
    }

    /** A file that could not be processed, and why. */
    public record Failure(Path file, String reason) {}

    private Features() {}

    /** Decoded, stereo, at the configuration's sample rate. */
    public static Audio load(Path file, MelConfig cfg) throws IOException {
        return load(file, cfg, false);
    }

    /** Decoded, stereo (or mono, the channel mean, when {@code mono}), at the configuration's rate. */
    public static Audio load(Path file, MelConfig cfg, boolean mono) throws IOException {
        Audio a = AudioDecoder.decode(file);
        if (mono) {
            a = a.toMono();
        } else if (a.channels() > 2) {
            a = a.toStereo();
        }
        // Resample before duplicating a mono channel: half the work, the same samples.
        a = Resampler.toRate(a, cfg.sampleRate());
        return mono ? a : a.toStereo();
    }

    /** The dB-mel of one file (stereo, the paper's layout (2, T, M)). */
    public static Mel dbMel(Path file, MelConfig cfg) throws IOException {
        return dbMel(file, cfg, false);
    }

    /** The dB-mel of one file, (2, T, M), or (1, T, M) when {@code mono}. */
    public static Mel dbMel(Path file, MelConfig cfg, boolean mono) throws IOException {
        Audio a = load(file, cfg, mono);
        MelSpectrogram ms = new MelSpectrogram(cfg);
        return new Mel(ms.dbMel(a), a.channels(), ms.frames(a.frames()), cfg.nMels());
    }

    /**
     * The paper's 120-d MFCC baseline of one file (needs at least 3 frames, i.e. 512 samples). A file that
     * {@link DbMelStream} reads (all but AU) is streamed: its dB-mel {@value #STEP} frames at a time, channels
     * averaged and turned into MFCCs as the whole path does, so memory holds the MFCCs and their deltas (240 bytes a
     * frame, 74 MB an hour) rather than the dB-mel (1 KB a frame) and the audio; the same bits.
     */
    public static float[] mfcc(Path file, MelConfig cfg) throws IOException {
        Mfcc mfcc = new Mfcc(cfg.nMels(), 20);
        try (DbMelStream s = DbMelStream.tryOpen(file, cfg)) {
            if (s != null) {
                int t = enoughForDeltas(file, s.frames());
                int m = cfg.nMels();
                float[] x = new float[t * mfcc.nMfcc()];            // (T, D)
                float[] buf = new float[2 * Math.min(t, STEP) * m];  // (2, frames of a step, M)
                float[] avg = new float[Math.min(t, STEP) * m];     // (frames of a step, M)
                for (int t0 = 0; t0 < t; t0 += STEP) {
                    int tf = Math.min(t, t0 + STEP) - t0;
                    s.read(t0, t0 + tf, buf);
                    java.util.Arrays.fill(avg, 0f);
                    MfccBaseline.average(avg, buf, 2, tf * m);
                    mfcc.apply(x, t0 * mfcc.nMfcc(), avg, 0, tf);
                }
                float[] out = new float[MfccBaseline.dims(mfcc.nMfcc())];
                MfccBaseline.fromMfcc(out, 0, x, t, mfcc.nMfcc(), MfccBaseline.DeltaKind.DIFF,
                        MfccBaseline.Order.PER_FEATURE);
                return out;
            }
        }
        Mel m = dbMel(file, cfg);
        enoughForDeltas(file, m.frames());
        return MfccBaseline.compute(m.data(), m.channels(), m.frames(), mfcc, MfccBaseline.DeltaKind.DIFF,
                MfccBaseline.Order.PER_FEATURE);
    }

    private static int enoughForDeltas(Path file, int frames) throws AudioDecodeException {
        if (frames < 3) {
            throw new AudioDecodeException(file, "too short for MFCC deltas: " + frames + " frames (3 needed)");
        }
        return frames;
    }

    /**
     * {@code mtdtl mel --in FILE --out FILE.npy}: float32 .npy of shape (2, T, 128), returned. A file that
     * {@link DbMelStream} reads (all but AU) is streamed to the output in bounded memory, the same
     * bytes as the whole decode's; others are decoded whole.
     */
    public static int[] melToNpy(Path in, Path out, MelConfig cfg) throws IOException {
        try (DbMelStream s = DbMelStream.tryOpen(in, cfg)) {
            if (s != null) {
                return streamToNpy(s, out, cfg);
            }
        }
        Mel m = dbMel(in, cfg);
        Npy.writeFloat(out, m.data(), m.shape());
        return m.shape();
    }

    /** Frames of a streamed dB-mel computed and written at once (95 s at the paper's rate: 8 MB of floats). */
    private static final int STEP = 4096;

    /**
     * The streamed dB-mel into a (2, T, M) .npy: channel 0's frames go to the file as they are computed, channel 1's to a
     * temporary file beside it, appended at the end (C order puts all of channel 0 first).
     */
    private static int[] streamToNpy(DbMelStream s, Path out, MelConfig cfg) throws IOException {
        int t = s.frames();
        int m = cfg.nMels();
        int[] shape = {2, t, m};
        // named as AtomicFiles names its temporaries (".NAME.HEX.tmp"), so that a resumed run removes one a kill left
        Path abs = out.toAbsolutePath();
        Path rest = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + "c1.tmp");
        try {
            Npy.writeFloatStream(out, shape, o -> {
                float[] buf = new float[2 * Math.min(t, STEP) * m];
                byte[] bytes = new byte[Math.min(t, STEP) * m * 4];
                try (java.io.OutputStream second = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(
                        rest, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE),
                        1 << 16)) {
                    for (int t0 = 0; t0 < t; t0 += STEP) {
                        int t1 = Math.min(t, t0 + STEP);
                        int n = (t1 - t0) * m;
                        s.read(t0, t1, buf);   // (2, t1 - t0, M)
                        o.write(bytes, 0, littleEndian(buf, 0, n, bytes));
                        second.write(bytes, 0, littleEndian(buf, n, n, bytes));
                    }
                }
                java.nio.file.Files.copy(rest, o);
            });
        } catch (IOException e) {
            if (e.getCause() instanceof AudioDecodeException a) {
                throw a;   // the input's fault (read again for the second pass), not the output's: the caller skips it
            }
            throw e;
        } finally {
            java.nio.file.Files.deleteIfExists(rest);
        }
        return shape;
    }

    /** {@code n} floats of {@code v} from {@code from} on as little-endian bytes into {@code b}; returns 4n. */
    private static int littleEndian(float[] v, int from, int n, byte[] b) {
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v, from, n);
        return 4 * n;
    }

    /** {@code mtdtl mfcc --in FILE --out FILE.npy}: float32 .npy of shape (120,). */
    public static float[] mfccToNpy(Path in, Path out, MelConfig cfg) throws IOException {
        float[] f = mfcc(in, cfg);
        Npy.writeFloat(out, f, f.length);
        return f;
    }

    /**
     * dB-mel of every input to {@code outFor.apply(input)}; files that fail are skipped and returned,
     * the others written. I/O errors on the output side are not skipped (they are not the file's fault).
     */
    public static List<Failure> melAll(List<Path> inputs, Function<Path, Path> outFor, MelConfig cfg)
            throws IOException {
        List<Failure> failed = new ArrayList<>();
        if (inputs.size() > 1) {
            ColdStart.endForBatch();   // a batch pays the vector warm-up once, without the scalar start on top
        }
        for (Path in : inputs) {
            try {
                melToNpy(in, outFor.apply(in), cfg);
            } catch (AudioDecodeException e) {
                failed.add(new Failure(in, e.reason()));
            }
        }
        return failed;
    }
}
