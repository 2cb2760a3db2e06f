package dev.mtdtl.eval.profile;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.AudioDecoder;
import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.MelSpectrogram;
import dev.mtdtl.dsp.Resampler;
import dev.mtdtl.dsp.WavWriter;
import dev.mtdtl.tensor.Rng;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The audio front end, stage by stage, as {@code mtdtl prepare}, {@code extract} and the embedder run it on a file
 * ({@code Features.dbMel}, then the slices' standardisation): decode a 30 s stereo 16-bit WAV at 44.1 kHz, resample
 * it to the paper's 22.05 kHz, turn it into the dB-mel (lane FFT, |X|^2, mel bank, dB, top_db clip: one op, as
 * they run fused), and standardise it per band. The profile's "front_end" phase: always on the CPU, whatever the
 * network's device.
 *
 * <p>Cost model (FLOPs counted as in the op pages: an FMA is 2). Decode: no FLOPs; the file's bytes read and the
 * floats written. Resample: 2 x taps per output sample and channel; input and output floats. dB-mel, per frame and
 * channel: 2.5 n log2 n for the real FFT of n = n_fft (the usual count), 3 per bin for |X|^2, 2 per non-zero mel
 * weight, about 30 per dB value (the exponent split, the series, the rescale) and 2 per value for the clip; bytes:
 * the audio read once, the output written once and read twice and written again by the clip. Standardise: 2 FLOPs
 * and 8 bytes per value. The counts are estimates of the work, not of the instructions.
 */
final class FrontEnd {

    static final int SECONDS = 30;
    static final int RATE = 44100;

    private final Path wav;
    private final long fileBytes;
    private final MelConfig cfg = MelConfig.paper();
    private final MelSpectrogram ms = new MelSpectrogram(cfg);
    private final Resampler rs = Resampler.hq(RATE, cfg.sampleRate());
    private final BandStats stats;

    private FrontEnd(Path wav, BandStats stats) throws IOException {
        this.wav = wav;
        this.fileBytes = Files.size(wav);
        this.stats = stats;
    }

    /** Writes the test clip (a seeded tone over noise) to a temporary file, removed when the JVM exits. */
    static FrontEnd create(long seed) {
        try {
            Rng r = new Rng(seed);
            int n = SECONDS * RATE;
            float[] pcm = new float[2 * n];   // planar (2, n)
            for (int i = 0; i < n; i++) {
                float v = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / RATE) + 0.05 * r.nextGaussian());
                pcm[i] = v;
                pcm[n + i] = 0.6f * v + (float) (0.02 * r.nextGaussian());
            }
            Path f = Files.createTempFile("mtdtl-profile-", ".wav");
            f.toFile().deleteOnExit();
            WavWriter.write(f, new Audio(pcm, 2, n, RATE), WavWriter.Encoding.PCM16);
            BandStats st = new BandStats(128);
            float[] frames = new float[64 * 128];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = (float) (-40 + 12 * r.nextGaussian());
            }
            st.add(frames, 0, 64);
            return new FrontEnd(f, st);
        } catch (IOException e) {
            throw new UncheckedIOException("profile: cannot write the front end's test clip: " + e.getMessage(), e);
        }
    }

    /** One pass over the clip, each stage a recorded op of {@code pd}. */
    void run(ProfilingDevice pd) {
        int n = SECONDS * RATE;
        Audio a = pd.timed("wav.decode", "30 s, 2 ch, 44.1 kHz, 16-bit", 0, fileBytes + 4.0 * 2 * n, () -> {
            try {
                return AudioDecoder.decode(wav);
            } catch (IOException e) {
                throw new UncheckedIOException(wav + ": " + e.getMessage(), e);
            }
        });
        int m = rs.outputLength(n);
        Audio b = pd.timed("resample", "44,100 -> " + cfg.sampleRate() + " Hz, " + rs.taps() + " taps",
                2.0 * rs.taps() * m * 2, 4.0 * 2 * (n + m), () -> rs.resample(a));
        int t = ms.frames(m);
        int mels = cfg.nMels();
        int nFft = cfg.nFft();
        int bins = nFft / 2 + 1;
        double values = 2.0 * t * mels;
        double perFrame = 2.5 * nFft * (Math.log(nFft) / Math.log(2)) + 3.0 * bins + 2.0 * ms.filterbank().nonZeros();
        float[] db = pd.timed("dbmel", "(2, " + t + ", " + mels + "): FFT, |X|^2, mel, dB, top_db",
                2 * t * perFrame + 32 * values, 4.0 * 2 * m + 4 * 4 * values, () -> ms.dbMel(b));
        pd.timed("standardize", "(2, " + t + ", " + mels + ") per band", 2 * values, 8 * values, () -> {
            stats.standardize(db, 0, 2 * t);
            return db;
        });
    }
}
