package dev.mtdtl.eval;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.AudioLimits;
import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.dsp.DbMelStream;
import dev.mtdtl.dsp.Features;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.MelSpectrogram;
import dev.mtdtl.dsp.Resampler;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The extraction of {@code mtdtl extract} as a small library API for JVM applications that embed the
 * engine: load a trained run once, then turn an audio file or PCM samples into the track vector, with
 * no CLI, no temporary files and no store.
 *
 * <p>Path (identical to extract over a prepared store, so the vectors are the same bits): decode,
 * stereo (mono duplicated), resample to 22,050 Hz, the paper's dB-mel (2, T, 128), non-overlapping
 * 216-frame slices from frame 0 with the last one padded at its end with 0 dB, standardised per band
 * with the training split's statistics, the network in eval mode, fc-feature per source concatenated in
 * the run's order, then [mean over slices || population std over slices].
 *
 * <p>Thread-safe: calls are serialised (the network's layers reuse their activation buffers); for
 * parallel throughput load one embedder per thread.
 * <pre>
 *   TrackEmbedder e = TrackEmbedder.load(Path.of("runs/mscr2"), Path.of("prepared"));
 *   float[] v = e.embed(Path.of("song.wav"));             // e.dims() values
 * </pre>
 */
public final class TrackEmbedder {

    private final Extractor extractor;
    private final BandStats stats;
    private final MelConfig cfg = MelConfig.paper();

    private TrackEmbedder(Extractor extractor, BandStats stats) {
        this.extractor = extractor;
        this.stats = stats;
    }

    /**
     * The newest checkpoint of {@code run} (a run folder or a checkpoint folder), verified against the
     * CRC-32 its sidecar records (a corrupt one is refused, naming the file and any older checkpoint that
     * verifies: {@link Extractor#fromRun}), standardised with the statistics of the prepared folder it was
     * trained on ({@code prepared/learning/stats.npy}).
     */
    public static TrackEmbedder load(Path run, Path prepared) throws IOException {
        return new TrackEmbedder(Extractor.fromRun(run), dev.mtdtl.data.store.LearningData.stats(prepared));
    }

    /**
     * A one-file model written by {@code mtdtl export} ({@code model.mtdtl}: weights, statistics, configuration,
     * checksum); no run or prepared folder needed. Bad files (another format, a newer version, truncated, a wrong
     * checksum) fail with an error naming the file. The vectors equal those of {@link #load(Path, Path)} on the
     * run and prepared folder it was exported from.
     */
    public static TrackEmbedder load(Path model) throws IOException {
        dev.mtdtl.embed.ModelFile m = dev.mtdtl.embed.ModelFile.read(model);
        return new TrackEmbedder(Extractor.fromModel(m, model.toString()), m.bandStats(model.toString()));
    }

    /** Length of the track vector: 2 x 256 x (sources whose fc-feature is concatenated). */
    public int dims() {
        return extractor.dims();
    }

    /**
     * The track vector of an audio file (WAV, FLAC, MP3, Ogg Vorbis, AIFF, AU). Errors name the file. All but AU are
     * streamed ({@link DbMelStream}: memory does not grow with the length, and the 30-minute limit of a whole decode
     * does not apply); AU is decoded whole.
     */
    public float[] embed(Path audio) throws IOException {
        try (DbMelStream s = DbMelStream.tryOpen(audio, cfg)) {
            if (s != null) {
                return extractor.trackVector(s, stats);
            }
        }
        Features.Mel m = Features.dbMel(audio, cfg);
        return embedDbMel(m.data(), m.frames());
    }

    /**
     * The track vector of PCM samples in planar layout {@code samples[c * n + i]} (c channels, n frames,
     * values in [-1, 1]) at {@code sampleRate} Hz.
     */
    public float[] embed(float[] samples, int channels, int sampleRate) {
        if (channels < 1 || samples.length % channels != 0 || samples.length == 0) {
            throw new IllegalArgumentException("need a non-empty planar (channels, frames) buffer, got "
                    + samples.length + " samples for " + channels + " channels");
        }
        if (sampleRate < AudioLimits.MIN_RATE || sampleRate > AudioLimits.MAX_RATE || channels > AudioLimits.MAX_CHANNELS) {
            throw new IllegalArgumentException("unsupported PCM: " + sampleRate + " Hz, " + channels + " channels (accepted: "
                    + AudioLimits.MIN_RATE + " to " + AudioLimits.MAX_RATE + " Hz, 1 to " + AudioLimits.MAX_CHANNELS
                    + " channels)");
        }
        Audio a = new Audio(samples, channels, samples.length / channels, sampleRate).toStereo();
        if (a.sampleRate() != cfg.sampleRate()) {
            a = Resampler.toRate(a, cfg.sampleRate());
        }
        MelSpectrogram ms = new MelSpectrogram(cfg);
        return embedDbMel(ms.dbMel(a), ms.frames(a.frames()));
    }

    /** The track vector of a stereo dB-mel (2, frames, 128) as {@code mtdtl mel} writes it. */
    public float[] embedDbMel(float[] dbMel, int frames) {
        int mels = cfg.nMels();
        if (frames < 1 || dbMel.length != 2 * frames * mels) {
            throw new IllegalArgumentException("need a (2, frames, " + mels + ") dB-mel, got " + dbMel.length
                    + " values for " + frames + " frames");
        }
        int len = Extractor.SLICE;
        int count = (frames + len - 1) / len;
        float[] slices = new float[count * 2 * len * mels];   // (S, 2, L, M), 0 dB beyond the clip
        for (int s = 0; s < count; s++) {
            int from = s * len;
            int n = Math.min(len, frames - from);
            for (int c = 0; c < 2; c++) {
                System.arraycopy(dbMel, (c * frames + from) * mels, slices, ((s * 2 + c) * len) * mels, n * mels);
            }
        }
        stats.standardize(slices, 0, count * 2 * len);
        return extractor.trackVector(slices, count);
    }
}
