package dev.mtdtl.embed;

import dev.mtdtl.dsp.AudioDamage;
import dev.mtdtl.dsp.AudioDecodeException;
import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.dsp.DbMelStream;
import dev.mtdtl.dsp.WavReader;
import dev.mtdtl.dsp.Features;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.ColdStart;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Audio to track vector with a one-file model ({@link ModelFile}): the small, dependency-light path for
 * applications (this module's jar holds no CLI, no trainer, no data preparation).
 *
 * <p>The computation is {@code mtdtl extract}'s, step for step, so the vectors are the same bits: the paper's
 * stereo dB-mel (2, T, 128), non-overlapping 216-frame slices from frame 0 (the last padded at its end with
 * 0 dB), each standardised per band with the training statistics, the network in eval mode on batches of at
 * most {@value #BATCH} slices (a slice's features do not depend on its batch, so the grouping does not change
 * them), the fc-feature of each source concatenated, then [mean over slices || population std over slices] in
 * double. {@link #embedAll} packs the slices of consecutive files into shared batches.
 *
 * <p>Memory: a WAV, AIFF, MP3, FLAC or Ogg Vorbis file is streamed ({@link DbMelStream}): {@value #BATCH}
 * slices at a time are read (or decoded), resampled, turned into dB-mel, standardised and run, so memory holds one
 * batch (about 10 MB of activations per slice) plus one feature row per slice (2 KB for 2 sources), whatever the
 * file's length; the dB scale's reference is the whole file's maximum, so a file is read twice unless its first
 * pass's frames are kept (47.5 s, or an eighth of the heap: {@link DbMelStream}). AU is decoded whole first.
 *
 * <p>Thread-safe (calls are serialised: the layers reuse their buffers); load one per thread for parallelism.
 */
public final class Embedder {

    /** Most slices per network call (as Extractor.MAX_BATCH): bounds the activation memory. */
    public static final int BATCH = 32;
    private static final int SLICE = ModelFile.SLICE;

    private final MultiSourceNet net;
    private final BandStats stats;
    private final Strategy strategy;
    private final MelConfig cfg = MelConfig.paper();
    private final String name;

    private final String sha256;

    private Embedder(MultiSourceNet net, BandStats stats, Strategy strategy, String name, String sha256) {
        this.net = net;
        this.stats = stats;
        this.strategy = strategy;
        this.name = name;
        this.sha256 = sha256;
    }

    /** Load a model file written by {@code mtdtl export}; errors name the file. */
    public static Embedder load(Path model) throws IOException {
        ModelFile m = ModelFile.read(model);   // verifies the file's closing SHA-256
        byte[] sum = new byte[32];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(sum);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(model)) {
            long at = ch.size() - 32;
            while (b.hasRemaining() && ch.read(b, at + b.position()) >= 0) {
                // a positional read may return fewer bytes than asked
            }
        }
        return new Embedder(m.network(model.toString()), m.bandStats(model.toString()), m.strategy(), m.runName(),
                java.util.HexFormat.of().formatHex(sum));
    }

    /** The model file's SHA-256 (hex), as its last 32 bytes record it: what a resumed folder run checks. */
    public String modelSha256() {
        return sha256;
    }

    /** The run the model was exported from. */
    public String name() {
        return name;
    }

    /** Per-slice feature size: 256 per source (one copy for MS-SR@FC). */
    public int sliceDims() {
        int f = net.spec().featureDim();
        return strategy == Strategy.MSSRFC ? f : f * net.sources().size();
    }

    /** Track vector length: 2 x {@link #sliceDims()}. */
    public int dims() {
        return 2 * sliceDims();
    }

    /** The track vector of an audio file (WAV, FLAC, MP3, Ogg). Errors name the file. */
    public float[] embed(Path audio) throws IOException {
        try (DbMelStream s = DbMelStream.tryOpen(audio, cfg)) {
            if (s != null) {
                return embed(s);
            }
        }
        Features.Mel m = Features.dbMel(audio, cfg);
        return embedDbMel(m.data(), m.frames());
    }

    /**
     * The track vector of a streamed dB-mel: {@value #BATCH} slices (6,912 frames, 80 s) are computed, standardised
     * and run at a time, so memory does not grow with the file (one float row of features per slice aside). The
     * same bits as {@link #embedDbMel} on the whole file's dB-mel.
     */
    public synchronized float[] embed(DbMelStream s) throws IOException {
        int count = slices(s.frames());
        int d = sliceDims();
        float[] feats = new float[count * d];
        streamChunks(s, (part, n, b0) -> {
            standardize(part, n);
            rows(part, n, feats, b0);
        });
        return meanStd(feats, count, d);
    }

    /**
     * The track vectors of several audio files, the slices of consecutive files run in shared batches of
     * {@value #BATCH} ({@link SliceBatcher}): the vectors {@link #embed(Path)} gives each file, bit for bit, at fewer
     * and fuller network calls for short files. {@code done} gets each file's index in {@code files} and vector, in
     * order, as soon as its last slice has run. Files are streamed as by {@link #embed(Path)}; memory holds one
     * batch and the feature rows of the files still open. An error names the file.
     */
    public synchronized void embedAll(List<Path> files, SliceBatcher.Done done) throws IOException {
        embedAll(files, done, (i, note) -> { });
    }

    /** What a decoder left out of a damaged file that {@link #embedAll} embedded: the file's index, the note. */
    @FunctionalInterface
    public interface Damaged {
        void accept(int file, AudioDamage.Note note);
    }

    /**
     * {@link #embedAll(List, SliceBatcher.Done)}, and {@code damaged} gets each damaged file's notes ({@link
     * AudioDamage}: an MP3 frame dropped, a FLAC frame silenced, an Ogg page skipped), in file order, before its vector.
     * The notes are printed on standard error as well. (A watch opened around this call would see only the files decoded
     * on the caller's thread: the first passes run a file a thread.)
     */
    public synchronized void embedAll(List<Path> files, SliceBatcher.Done done, Damaged damaged) throws IOException {
        embedAll(files, done, damaged, null);
    }

    /** A file {@link #embedAll} could not decode (not audio, damaged past decoding, too long): its index and why. */
    @FunctionalInterface
    public interface Unreadable {
        void accept(int file, AudioDecodeException why);
    }

    /**
     * {@link #embedAll(List, SliceBatcher.Done, Damaged)}, where a file that cannot be decoded before any of its slices
     * ran (its format, its header, its first decode) goes to {@code unreadable} and the others are embedded (null:
     * such a file stops the call, as there). Its damage notes, if any, are dropped with it. A decode that fails later
     * (a streamed file's second pass, the file changed under it) still stops the call.
     */
    public synchronized void embedAll(List<Path> files, SliceBatcher.Done done, Damaged damaged,
                                      Unreadable unreadable) throws IOException {
        SliceBatcher batcher = new SliceBatcher(2 * SLICE * cfg.nMels(), sliceDims(), BATCH,
                (b, n, r) -> rows(b, n, r, 0), done);
        Chunks add = (part, n, b0) -> {
            standardize(part, n);
            batcher.add(part, 0, n);
        };
        if (files.size() > 1) {
            ColdStart.endForBatch();   // a batch pays the vector warm-up once either way, without a scalar start
        }
        for (int i0 = 0, n; i0 < files.size(); i0 += n) {
            n = DbMelStream.together(files, i0);
            Opened[] opened = firstPasses(files, i0, n);
            try {
                for (int k = 0; k < opened.length; k++) {
                    int i = i0 + k;
                    Path f = files.get(i);
                    Opened o = opened[k];
                    opened[k] = null;   // closed here, whatever happens
                    try (DbMelStream s = o.stream) {
                        if (o.error instanceof AudioDecodeException bad && unreadable != null) {
                            unreadable.accept(i, bad);
                            continue;
                        }
                        if (o.error instanceof IOException io) {
                            throw io;
                        } else if (o.error != null) {
                            throw (RuntimeException) o.error;
                        }
                        for (AudioDamage.Note note : o.damage) {
                            damaged.accept(i, note);
                        }
                        if (s != null) {
                            batcher.begin(i, slices(s.frames()));
                            streamChunks(s, add);
                            continue;
                        }
                        Features.Mel m;
                        try (AudioDamage.Watch w = AudioDamage.watch()) {
                            try {
                                m = Features.dbMel(f, cfg);
                            } catch (AudioDecodeException bad) {
                                if (unreadable == null) {
                                    throw bad;
                                }
                                unreadable.accept(i, bad);
                                continue;
                            }
                            for (AudioDamage.Note note : w.notes()) {
                                damaged.accept(i, note);
                            }
                        }
                        checkDbMel(m.data(), m.frames());
                        batcher.begin(i, slices(m.frames()));
                        wholeChunks(m.data(), m.frames(), add);
                    } catch (IOException | RuntimeException ex) {
                        String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
                        throw new IOException(msg.contains(f.toString()) ? msg : f + ": " + msg, ex);
                    }
                }
            } finally {
                for (Opened o : opened) {   // the group's later files, when an earlier one failed
                    if (o != null && o.stream != null) {
                        o.stream.close();
                    }
                }
            }
        }
        batcher.finish();
    }

    /** A file of {@link #embedAll}'s group: its stream after the first pass (null: decoded whole), or the error. */
    private record Opened(DbMelStream stream, Exception error, List<AudioDamage.Note> damage) {}

    /**
     * Files [i0, i0 + n) opened and their first passes run ({@link DbMelStream#max}: decoding a compressed file, the
     * dB-mel's maximum, the frames kept when they fit), one file a thread ({@link DbMelStream#together}): a
     * file's decoder runs on one core (jlayer, jorbis, the FLAC reader), so a folder of compressed files kept the other
     * core idle most of the time. The kernels' loops inside a file's pass run on its thread alone (a pool thread's
     * nested loops do), with the same bits.
     */
    private Opened[] firstPasses(List<Path> files, int i0, int n) {
        Opened[] out = new Opened[n];
        Parallel.forEach(n, (k, a, b) -> {
            DbMelStream s = null;
            try (AudioDamage.Watch w = AudioDamage.watch()) {   // this thread decodes the file's first pass
                s = DbMelStream.tryOpen(files.get(i0 + k), cfg);
                if (s != null) {
                    s.max();
                }
                out[k] = new Opened(s, null, w.notes());
            } catch (IOException | RuntimeException ex) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException c) {
                        ex.addSuppressed(c);
                    }
                }
                out[k] = new Opened(null, ex, List.of());
            }
        });
        return out;
    }

    /** Slices [b0, b0 + n) of a file, unstandardised, (n, 2, 216, M) exactly, 0 dB beyond the clip. */
    @FunctionalInterface
    public interface Chunks {
        void accept(float[] part, int n, int b0);
    }

    private void streamChunks(DbMelStream s, Chunks out) throws IOException {
        streamSlices(s, cfg.nMels(), out);
    }

    /**
     * A streamed dB-mel's slices, {@value #BATCH} at a time: non-overlapping 216-frame slices from frame 0, the last
     * padded at its end with 0 dB, as the whole dB-mel's (also eval's {@code TrackEmbedder} on a file).
     */
    public static void streamSlices(DbMelStream s, int mels, Chunks out) throws IOException {
        int frames = s.frames();
        int count = slices(frames);
        int per = 2 * SLICE * mels;
        // (2, frames read at once, M): sized to the file, not to a whole batch; embedAll opens one stream per file,
        // and a 10 s clip needs 0.9 MB here where a full batch's buffer is 7 MB
        float[] mel = new float[2 * Math.min(frames, BATCH * SLICE) * mels];
        for (int b0 = 0; b0 < count; b0 += BATCH) {
            int n = Math.min(BATCH, count - b0);
            int t0 = b0 * SLICE;
            int t1 = Math.min(frames, (b0 + n) * SLICE);
            int tf = t1 - t0;
            s.read(t0, t1, mel);                               // (2, tf, M)
            float[] part = new float[n * per];                 // (n, 2, 216, M), 0 dB beyond the clip
            for (int i = 0; i < n; i++) {
                int from = i * SLICE;
                int len = Math.min(SLICE, tf - from);
                for (int c = 0; c < 2; c++) {
                    System.arraycopy(mel, (c * tf + from) * mels, part, (i * 2 + c) * SLICE * mels, len * mels);
                }
            }
            out.accept(part, n, b0);
        }
    }

    /** A whole dB-mel's slices (2, frames, M), {@value #BATCH} at a time. */
    private void wholeChunks(float[] dbMel, int frames, Chunks out) {
        int mels = cfg.nMels();
        int count = slices(frames);
        int per = 2 * SLICE * mels;
        for (int b0 = 0; b0 < count; b0 += BATCH) {
            int n = Math.min(BATCH, count - b0);
            float[] part = new float[n * per];                 // (n, 2, 216, M), 0 dB beyond the clip
            for (int i = 0; i < n; i++) {
                int from = (b0 + i) * SLICE;
                int len = Math.min(SLICE, frames - from);
                for (int c = 0; c < 2; c++) {
                    System.arraycopy(dbMel, (c * frames + from) * mels, part, (i * 2 + c) * SLICE * mels, len * mels);
                }
            }
            out.accept(part, n, b0);
        }
    }

    /** Standardise n slices (n, 2, 216, M) per band with the training statistics, in place. */
    private void standardize(float[] part, int n) {
        stats.standardize(part, 0, n * 2 * SLICE);
    }

    /** The feature rows of n standardised slices part (n, 2, 216, M) into feats (rows, d) from row {@code row} on. */
    private void rows(float[] part, int n, float[] feats, int row) {
        List<Source> paths = strategy == Strategy.MSSRFC ? List.of(net.sources().get(0)) : net.sources();
        featureRows(net, paths, part, n, cfg.nMels(), feats, row, sliceDims());
    }

    /**
     * The feature rows of n standardised slices part (n, 2, 216, mels), exactly that long, into feats (rows, d) from
     * row {@code row} on: the fc-feature of each source in {@code paths}, concatenated in that order, the shared
     * trunk run once ({@link MultiSourceNet#representations}). The one implementation, shared with eval's Extractor.
     */
    public static void featureRows(MultiSourceNet net, List<Source> paths, float[] part, int n, int mels, float[] feats,
                                   int row, int d) {
        Tensor x = Tensor.of(part, n, 2, SLICE, mels).to(net.device());   // an upload on a GPU
        int[] col = {0};
        net.representations(paths, x, (src, r) -> {
            int f = r.shape()[1];
            float[] rd = r.toCpu().data();
            for (int i = 0; i < n; i++) {
                System.arraycopy(rd, i * f, feats, (row + i) * d + col[0], f);
            }
            col[0] += f;
        });
    }

    /** Number of 2.5 s slices a file of {@code frames} mel frames gives. */
    public static int slices(int frames) {
        return (frames + SLICE - 1) / SLICE;
    }

    /** The track vector of a stereo dB-mel (2, frames, 128), slices streamed {@value #BATCH} at a time. */
    public synchronized float[] embedDbMel(float[] dbMel, int frames) {
        checkDbMel(dbMel, frames);
        int count = slices(frames);
        int d = sliceDims();
        float[] feats = new float[count * d];                  // (S, D): one row per slice
        wholeChunks(dbMel, frames, (part, n, b0) -> {
            standardize(part, n);
            rows(part, n, feats, b0);
        });
        return meanStd(feats, count, d);
    }

    private void checkDbMel(float[] dbMel, int frames) {
        int mels = cfg.nMels();
        if (frames < 1 || dbMel.length != 2 * frames * mels) {
            throw new IllegalArgumentException("need a (2, frames, " + mels + ") dB-mel, got " + dbMel.length
                    + " values for " + frames + " frames");
        }
    }

    /**
     * [mean || population std] over the rows of x (rows, d), two passes in double: the track vector of the
     * paper's section 4, shared with eval's Extractor so that both paths are bit-identical by construction.
     */
    public static float[] meanStd(float[] x, int rows, int d) {
        float[] out = new float[2 * d];
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) {
                s += x[i * d + j];
            }
            double m = s / rows;
            double v = 0;
            for (int i = 0; i < rows; i++) {
                double e = x[i * d + j] - m;
                v += e * e;
            }
            out[j] = (float) m;
            out[d + j] = (float) Math.sqrt(v / rows);
        }
        return out;
    }
}
