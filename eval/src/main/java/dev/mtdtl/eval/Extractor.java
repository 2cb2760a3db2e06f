package dev.mtdtl.eval;

import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.dsp.MfccBaseline;
import dev.mtdtl.embed.SliceBatcher;
import dev.mtdtl.nn.BaseCnn;
import dev.mtdtl.nn.Checkpoint;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.StateDict;
import dev.mtdtl.nn.Strategy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Track-level features for transfer evaluation (reference digest 6.1, decisions 6 and 14).
 *
 * <p>A trained run (its newest checkpoint), the Rand baseline (an untrained network from a seed, BN running
 * statistics at their init) or the MFCC baseline. For a network: the whole file's standardised dB-mel is cut
 * into non-overlapping 216-frame slices (the last padded with 0 dB at its end, {@link MelStore#slices}), the
 * network runs in eval mode, the fc-feature (ReLU(BN(fc))) of every source is concatenated in the run's source
 * order (MS-SR@FC shares everything up to the fc layer, so one copy: decision 14), and the track vector is
 * [mean over slices ‖ population std over slices] (ddof 0: the 2018 choice, no NaN for one-slice files).
 * MFCC: {@link MfccBaseline#paper} on the stored, unstandardised dB-mel (120 dims, decision 18).
 *
 * <p>Library use: {@code Extractor.fromRun(dir)} once, then {@link #trackVector(float[], int)} per track;
 * thread-safe (the network owns its activation buffers, so calls are serialised), no temporary files.
 */
public final class Extractor {

    /** Frames per slice: the training crop length (2.5 s). */
    public static final int SLICE = 216;
    /** Slices per network call: bounds the activation memory (~10 MB per slice on the paper's CNN). */
    static final int MAX_BATCH = 32;

    private final String name;
    private final Strategy strategy;
    private final List<Source> sources;
    private final MultiSourceNet net;   // null for MFCC
    private final int mels;

    private Extractor(String name, Strategy strategy, List<Source> sources, MultiSourceNet net, int mels) {
        this.name = name;
        this.strategy = strategy;
        this.sources = sources;
        this.net = net;
        this.mels = mels;
        if (net != null) {
            net.setTraining(false);
        }
    }

    /**
     * The newest checkpoint of a training run folder (or a checkpoint folder itself), verified against its
     * sidecar's CRC-32 ({@link Checkpoint#readVerified}). A corrupt newest checkpoint is refused, naming the
     * file and the newest older checkpoint that verifies (pass that folder to use it), rather than silently
     * giving features of another iteration.
     */
    public static Extractor fromRun(Path run) throws IOException {
        Checkpoint.Verified v;
        if (Files.isRegularFile(run.resolve("checkpoint.json"))) {
            v = Checkpoint.readVerified(run);
        } else {
            Path ck = Checkpoint.latest(run);
            if (ck == null) {
                throw new IllegalArgumentException(run + ": no checkpoint (expected RUN/checkpoints/it-N/checkpoint.json)");
            }
            try {
                v = Checkpoint.readVerified(ck);
            } catch (Checkpoint.CorruptException e) {
                Checkpoint.Verified older = Checkpoint.newestVerified(run, m -> { });
                throw new Checkpoint.CorruptException(e.getMessage() + (older == null
                        ? "; no older checkpoint of this run verifies either: train again"
                        : "; the older checkpoint " + older.dir() + " verifies: pass --run " + older.dir()
                                + " to extract from it, or re-run train to rewrite the newest"), e);
            }
        }
        Path ck = v.dir();
        Path side = ck.resolve("checkpoint.json");
        Map<String, Object> j = v.sidecar();
        String stId = field(j, "strategy", String.class, side);
        String srcIds = field(j, "sources", String.class, side);
        Strategy st;
        List<Source> src;
        try {
            st = Strategy.of(stId);
            src = Source.parseList(srcIds);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(side + ": " + e.getMessage(), e.getCause());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = field(j, "spec", Map.class, side);
        List<?> conv = field(spec, "conv_channels", List.class, side);
        int[] channels = new int[conv.size()];
        for (int i = 0; i < channels.length; i++) {
            if (!(conv.get(i) instanceof Long c) || c < 1 || c > 1024) {
                throw new IllegalArgumentException(side + ": field spec.conv_channels[" + i + "] is not a channel count: "
                        + conv.get(i));
            }
            channels[i] = (int) (long) c;
        }
        BaseCnn.Spec s;
        MultiSourceNet net;
        try {
            s = new BaseCnn.Spec(num(spec, "in_channels", side), channels, num(spec, "feature_dim", side),
                    num(spec, "n_out", side), field(spec, "dropout", Number.class, side).floatValue());
            net = new MultiSourceNet(st, src, s, num(spec, "pair_hidden", side), 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(side + ": field spec does not describe a network: " + e.getMessage(), e);
        }
        StateDict.load(v.model(), net.stateDict(), net.batchNorms(), ck.resolve("model.safetensors").toString());
        Path runDir = ck.getParent() != null && ck.getParent().getFileName().toString().equals("checkpoints")
                ? ck.getParent().getParent() : ck;
        return new Extractor(runDir.getFileName().toString(), st, src, net, 128);
    }

    private static <T> T field(Map<String, Object> m, String k, Class<T> type, Path file) {
        Object o = m.get(k);
        if (!type.isInstance(o)) {
            throw new IllegalArgumentException(file + ": field " + k + " is " + (o == null ? "missing" : "not a "
                    + type.getSimpleName().toLowerCase(Locale.ROOT) + ": " + o));
        }
        return type.cast(o);
    }

    /** The network of a one-file model ({@code mtdtl export}); {@code name}: the file, for messages. */
    public static Extractor fromModel(dev.mtdtl.embed.ModelFile m, String name) {
        return new Extractor(m.runName(), m.strategy(), m.sources(), m.network(name), 128);
    }

    /** The Rand baseline: an untrained single-source network (paper spec) from a seed, 512-d track vectors. */
    public static Extractor rand(long seed) {
        MultiSourceNet net = new MultiSourceNet(Strategy.SSR, List.of(Source.of("bpm")), BaseCnn.Spec.paper(50), 128,
                seed);
        return new Extractor("rand", null, List.of(), net, 128);
    }

    /** The MFCC baseline (120 dims) through the same path. */
    public static Extractor mfcc() {
        return new Extractor("mfcc", null, List.of(), null, 128);
    }

    private static int num(Map<String, Object> m, String k, Path file) {
        Object o = m.get(k);
        // Bounds keep a corrupt sidecar from allocating a network of gigabytes (the paper's sizes are <= 256).
        if (!(o instanceof Long n) || n < 1 || n > 4096) {
            throw new IllegalArgumentException(file + ": field spec." + k + " is not a size in [1, 4096]: " + o);
        }
        return (int) (long) n;
    }

    public String name() {
        return name;
    }

    /**
     * Run the network on {@code d} from now on (moves its parameters; the MFCC baseline has none). Features
     * are the same within the device's float32 tolerance: the kernels sum in another order. Returns this.
     */
    public Extractor on(dev.mtdtl.tensor.Device d) {
        if (net != null) {
            net.to(d);
        }
        return this;
    }

    /** Strategy id, or the baseline's name. */
    public String strategyId() {
        return strategy == null ? name : strategy.id();
    }

    /** Source ids joined by '+', empty for baselines. */
    public String sourceIds() {
        return String.join("+", sources.stream().map(Source::id).toList());
    }

    public boolean isMfcc() {
        return net == null;
    }

    /** Per-slice feature size: 256 per source (one copy for MS-SR@FC). */
    public int sliceDims() {
        if (net == null) {
            return MfccBaseline.dims(20) / 2;
        }
        int f = net.spec().featureDim();
        return strategy == Strategy.MSSRFC || strategy == null ? f : f * sources.size();
    }

    /** Track vector size: 2 × {@link #sliceDims()} (120 for MFCC). */
    public int dims() {
        return 2 * sliceDims();
    }

    /**
     * The track vector of a network extractor from standardised slices (S, 2, 216, M) in {@code slices}.
     * Runs the slices in batches of at most {@value #MAX_BATCH}.
     */
    public synchronized float[] trackVector(float[] slices, int count) {
        if (net == null) {
            throw new IllegalStateException("the MFCC baseline works on the unstandardised dB-mel: use mfccVector");
        }
        int per = 2 * SLICE * mels;
        if (count < 1 || slices.length < (long) count * per) {
            throw new IllegalArgumentException("need " + count + " slices of (2, " + SLICE + ", " + mels + "), got "
                    + slices.length + " values");
        }
        int d = sliceDims();
        float[] feats = new float[count * d];
        for (int b0 = 0; b0 < count; b0 += MAX_BATCH) {
            int n = Math.min(MAX_BATCH, count - b0);
            float[] part = new float[n * per];
            System.arraycopy(slices, b0 * per, part, 0, n * per);
            sliceRows(part, n, feats, b0);
        }
        return meanStd(feats, count, d);
    }

    /**
     * The track vector of a streamed dB-mel ({@link dev.mtdtl.dsp.DbMelStream}): its slices read, standardised with
     * {@code stats} and run {@value #MAX_BATCH} at a time, so memory holds one batch and a feature row per slice; the
     * same bits as {@link #trackVector(float[], int)} on the whole dB-mel's standardised slices.
     */
    public synchronized float[] trackVector(dev.mtdtl.dsp.DbMelStream s, dev.mtdtl.dsp.BandStats stats)
            throws java.io.IOException {
        if (net == null) {
            throw new IllegalStateException("the MFCC baseline works on the unstandardised dB-mel: use mfccVector");
        }
        int count = dev.mtdtl.embed.Embedder.slices(s.frames());
        float[] feats = new float[count * sliceDims()];
        dev.mtdtl.embed.Embedder.streamSlices(s, mels, (part, n, b0) -> {
            stats.standardize(part, 0, n * 2 * SLICE);
            sliceRows(part, n, feats, b0);
        });
        return meanStd(feats, count, sliceDims());
    }

    /**
     * The feature rows of n standardised slices part (n, 2, 216, M) (exactly that long) into feats (rows, d) from row
     * {@code row} on: every source's fc-feature, concatenated in the run's order (one copy for MS-SR@FC and Rand).
     */
    private void sliceRows(float[] part, int n, float[] feats, int row) {
        List<Source> paths = strategy == Strategy.MSSRFC || strategy == null ? List.of(net.sources().get(0))
                : net.sources();
        dev.mtdtl.embed.Embedder.featureRows(net, paths, part, n, mels, feats, row, sliceDims());
    }

    /** The MFCC baseline vector of a whole dB-mel (2, T, M). */
    public static float[] mfccVector(float[] dbMel, int frames, int mels) {
        return MfccBaseline.paper(dbMel, 2, frames, mels);
    }

    /** [mean ‖ population std] over rows of x (rows, d), in double (the one implementation, in embed). */
    static float[] meanStd(float[] x, int rows, int d) {
        return dev.mtdtl.embed.Embedder.meanStd(x, rows, d);
    }

    /**
     * Every track of a store: (N, dims) row-major. The store must carry the training statistics for a
     * network extractor (it standardises the slices); MFCC reads the raw dB-mel either way. A network runs the
     * slices of consecutive tracks in shared batches ({@link SliceBatcher}): the same vectors as
     * {@link #trackVector} per track, bit for bit.
     */
    public synchronized float[] extract(MelStore store, PrintStream log) {
        if (store.size() > 1) {
            dev.mtdtl.tensor.ColdStart.endForBatch();   // many tracks: the vector warm-up is paid once either way
        }
        int n = store.size();
        if (n == 0) {
            throw new IllegalArgumentException("the dataset's mel store holds no tracks");
        }
        if (net != null && !store.standardised()) {
            throw new IllegalArgumentException("a network extractor needs the store opened with the training statistics");
        }
        if (net != null && store.mels() != mels) {
            throw new IllegalArgumentException("the mel store has " + store.mels() + " mel bands, the network of "
                    + name + " takes " + mels);
        }
        int d = dims();
        float[] out = new float[n * d];
        Progress progress = new Progress(log, n);
        if (net == null) {
            for (int t = 0; t < n; t++) {
                System.arraycopy(mfccVector(store.whole(t), store.frames(t), store.mels()), 0, out, t * d, d);
                progress.track(0);
            }
            return out;
        }
        // the slices of consecutive tracks in shared batches (SliceBatcher): the same vectors as trackVector per track
        int per = 2 * SLICE * mels;
        SliceBatcher batcher = new SliceBatcher(per, sliceDims(), MAX_BATCH, (b, k, rows) -> sliceRows(b, k, rows, 0),
                (t, v) -> {
                    System.arraycopy(v, 0, out, t * d, d);
                    progress.track(store.sliceCount(t, SLICE));
                });
        float[] x = new float[0];
        for (int t = 0; t < n; t++) {
            int count = store.sliceCount(t, SLICE);
            if (x.length < count * per) {
                x = new float[count * per];
            }
            store.slices(t, SLICE, x, 0);
            batcher.begin(t, count);
            batcher.add(x, 0, count);
        }
        batcher.finish();
        return out;
    }

    /** extract's progress line every 50 tracks and at the end: tracks/s and slices/s since the start. */
    private final class Progress {
        private final PrintStream log;
        private final int n;
        private final long t0 = System.nanoTime();
        private int tracks;
        private long slices;

        Progress(PrintStream log, int n) {
            this.log = log;
            this.n = n;
        }

        /** One more track done, of {@code slicesOfTrack} slices (0 for MFCC). */
        void track(int slicesOfTrack) {
            slices += slicesOfTrack;
            tracks++;
            if (log != null && (tracks % 50 == 0 || tracks == n)) {
                double sec = (System.nanoTime() - t0) / 1e9;
                log.printf(Locale.ROOT, "  %s: %d/%d tracks, %.1f tracks/s, %.1f slices/s%n", name, tracks, n,
                        tracks / sec, slices / sec);
            }
        }
    }

    /** Names of the per-dimension blocks, for the features' sidecar. */
    public List<String> blocks() {
        List<String> b = new ArrayList<>();
        if (net == null) {
            b.add("mfcc120");
        } else if (strategy == null || strategy == Strategy.MSSRFC) {
            b.add(strategy == null ? "rand" : "shared-fc");
        } else {
            sources.forEach(s -> b.add(s.id()));
        }
        return b;
    }
}
