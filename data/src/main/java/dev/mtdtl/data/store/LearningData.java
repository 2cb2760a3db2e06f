package dev.mtdtl.data.store;

import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.Checksums;
import dev.mtdtl.tensor.io.JsonFields;
import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The learning side of a prepared folder ({@code ./mtdtl prepare}), as a trainer reads it: the train and
 * valid stores opened with the training split's statistics, and per source the targets z (N, K) with
 * their presence mask. Letters: B batch, C = 2, L = 216 crop frames, M = 128 bands, K topics.
 *
 * <p>{@link #batch} is the paper's batch (Algorithm 1): B distinct tracks of one split that have the
 * source's label (any tracks for {@code self}), one fresh random crop each, standardised, plus their z
 * rows. Crops are cut in parallel with per-item generators {@code Rng(hash(seed, i))} where seed is one
 * draw of the caller's generator, so a batch depends on the caller's generator only, never on the thread
 * count. Safe to call from several threads with separate generators.
 *
 * <p>Omitted: the self source's pairs (the trainer pairs crops itself: {@link MelStore#randomCrop}),
 * prefetching.
 */
public final class LearningData {

    /** Targets of one source: z (N, K) rows in learning/tracks.tsv order and mask (N). */
    public record Targets(String source, float[] z, int[] mask, int topics) {}

    private final MelStore train;
    private final MelStore valid;
    private final Map<String, Targets> targets = new LinkedHashMap<>();
    private final int topics;
    private final int[] trainRow;      // store track -> targets row
    private final int[] validRow;
    private final Map<String, int[][]> eligible = new HashMap<>();   // source -> {train tracks, valid tracks}

    /** {@code stores}: the folder of the two mel stores; {@code tracks}: the tracks file; both for messages. */
    private LearningData(MelStore train, MelStore valid, List<Targets> ts, List<String> rowIds, int topics, Path stores,
                         Path tracks) throws IOException {
        this.train = train;
        this.valid = valid;
        this.topics = topics;
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < rowIds.size(); i++) {
            row.put(rowIds.get(i), i);
        }
        trainRow = rows(train, row, stores.resolve("train" + MelStore.INDEX_SUFFIX), tracks);
        validRow = rows(valid, row, stores.resolve("valid" + MelStore.INDEX_SUFFIX), tracks);
        for (Targets t : ts) {
            targets.put(t.source(), t);
            eligible.put(t.source(), new int[][] {having(t, trainRow), having(t, validRow)});
        }
        eligible.put("self", new int[][] {all(train.size()), all(valid.size())});
    }

    /** Open the learning data of a prepared folder. */
    @SuppressWarnings("unchecked")
    public static LearningData open(Path prepared) throws IOException {
        Path pf = prepared.resolve("prepared.json");
        if (!Files.isRegularFile(pf)) {
            throw new IOException(pf + ": missing (prepare has not finished in this folder)");
        }
        Map<String, Object> p = JsonFields.read(pf);
        Map<String, Object> l = JsonFields.obj(p, "learning", pf);
        Path statsFile = inside(prepared, JsonFields.str(l, "stats", pf), pf, "learning.stats");
        verify(prepared, p, statsFile);
        BandStats stats = BandStats.load(statsFile);
        Path ld = prepared.resolve("learning");
        MelStore tr = MelStore.open(ld, "train", stats);
        MelStore va = MelStore.open(ld, "valid", stats);
        int k = JsonFields.integer(l, "topics", 1, 100_000, pf);
        List<String> ids = new ArrayList<>();
        Path tracksFile = inside(prepared, JsonFields.str(l, "tracks", pf), pf, "learning.tracks");
        for (String[] r : dev.mtdtl.data.Tsv.read(tracksFile).rows()) {
            ids.add(r[0]);
        }
        int n = ids.size();
        List<Targets> ts = new ArrayList<>();
        Map<String, Object> sources = JsonFields.obj(l, "sources", pf);
        for (String src : sources.keySet()) {
            Map<String, Object> s = JsonFields.obj(sources, src, pf);
            Path zf = inside(prepared, JsonFields.str(s, "z", pf), pf, "learning.sources." + src + ".z");
            Path mf = inside(prepared, JsonFields.str(s, "mask", pf), pf, "learning.sources." + src + ".mask");
            verify(prepared, p, zf);
            verify(prepared, p, mf);
            Npy.Array za = Npy.read(zf);
            Npy.Array ma = Npy.read(mf);
            if (!java.util.Arrays.equals(za.shape(), new int[]{n, k}) || !java.util.Arrays.equals(ma.shape(), new int[]{n})) {
                throw new IOException(zf + ", " + mf + ": shapes " + java.util.Arrays.toString(za.shape()) + " and "
                        + java.util.Arrays.toString(ma.shape()) + ", expected (" + n + ", " + k + ") and (" + n + ") for the "
                        + n + " tracks of learning/tracks.tsv and K = " + k);
            }
            float[] z = za.toFloat();
            for (int i = 0; i < z.length; i++) {
                if (!(z[i] >= 0 && z[i] <= 1.001f)) {   // a probability per entry (NaN fails too)
                    throw new IOException(zf + ": value " + z[i] + " at row " + i / k + ", column " + i % k
                            + " is not a probability");
                }
            }
            double[] mv = ma.values();
            int[] m = new int[n];
            for (int i = 0; i < n; i++) {
                if (mv[i] != 0 && mv[i] != 1) {
                    throw new IOException(mf + ": value " + mv[i] + " at row " + i + " is not 0 or 1");
                }
                m[i] = (int) mv[i];
            }
            ts.add(new Targets(src, z, m, k));
        }
        return new LearningData(tr, va, ts, ids, k, ld, tracksFile);
    }

    /**
     * The training split's band statistics of a prepared folder, verified against the CRC-32 that
     * prepared.json records (what extraction and the embedding API standardise with).
     */
    public static BandStats stats(Path prepared) throws IOException {
        Path pf = prepared.resolve("prepared.json");
        Path f = prepared.resolve("learning").resolve("stats.npy");
        if (Files.isRegularFile(pf)) {
            verify(prepared, JsonFields.read(pf), f);
        }
        return BandStats.load(f);
    }

    /** Check {@code file} against prepared.json's crc32 entry for it, when there is one (older folders have none). */
    private static void verify(Path prepared, Map<String, Object> p, Path file) throws IOException {
        Path pf = prepared.resolve("prepared.json");
        if (!p.containsKey("crc32")) {
            return;
        }
        Map<String, Object> crc = JsonFields.obj(p, "crc32", pf);
        String rel = prepared.normalize().relativize(file.normalize()).toString().replace(java.io.File.separatorChar, '/');
        if (crc.containsKey(rel)) {
            Checksums.verify(file, JsonFields.lng(crc, rel, 0, 0xFFFFFFFFL, pf), pf, "crc32." + rel);
        }
    }

    /** prepared/rel, refused (naming prepared.json's field) when rel leaves the prepared folder. */
    private static Path inside(Path prepared, String rel, Path pf, String field) throws IOException {
        Path p = prepared.resolve(rel).normalize();
        if (Path.of(rel).isAbsolute() || !p.startsWith(prepared.normalize())) {
            throw new IOException(pf + ": field " + field + " ('" + rel + "') leaves the prepared folder");
        }
        return p;
    }

    public MelStore train() {
        return train;
    }

    public MelStore valid() {
        return valid;
    }

    public int topics() {
        return topics;
    }

    /** Sources with targets (self excluded), in manifest order. */
    public List<String> sources() {
        return new ArrayList<>(targets.keySet());
    }

    public Targets targets(String source) {
        return targets.get(source);
    }

    /** Number of tracks of a split ("train"/"valid") that have the source's label. */
    public int eligible(String source, boolean validSplit) {
        return eligibleOf(source)[validSplit ? 1 : 0].length;
    }

    /**
     * One batch. x: written, (B, C, L, M) standardised crops. z: written, (B, K) targets, or may be null
     * (and is ignored) for self. tracks: written, (B) store track numbers. Throws if fewer than B tracks
     * have the label.
     */
    public void batch(String source, boolean validSplit, int b, int length, Rng rng, float[] x, float[] z,
                      int[] tracks) {
        int[] pool = eligibleOf(source)[validSplit ? 1 : 0];
        if (pool.length < b) {
            throw new IllegalArgumentException(source + ": " + pool.length + " tracks with labels, batch needs " + b);
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < b; i++) {
            int t;
            do {
                t = pool[rng.nextInt(pool.length)];
            } while (!seen.add(t));
            tracks[i] = t;
        }
        MelStore s = validSplit ? valid : train;
        int[] row = validSplit ? validRow : trainRow;
        long seed = rng.nextLong();
        int per = MelStore.CHANNELS * length * s.mels();
        Parallel.forEach(b, (c, from, to) ->
                s.randomCrop(tracks[from], new Rng(Rng.hash(seed, from)), length, x, from * per));
        Targets t = targets.get(source);
        if (t != null && z != null) {
            for (int i = 0; i < b; i++) {
                System.arraycopy(t.z(), row[tracks[i]] * topics, z, i * topics, topics);
            }
        }
    }

    /**
     * Store track numbers of a split that have the source's label (every track for self), ascending.
     * The array is shared: do not modify it.
     */
    public int[] eligibleTracks(String source, boolean validSplit) {
        return eligibleOf(source)[validSplit ? 1 : 0];
    }

    /** z of store track {@code track} of a split for a source (K values) into {@code dst[off .. off+K)}. */
    public void target(String source, boolean validSplit, int track, float[] dst, int off) {
        Targets t = targets.get(source);
        if (t == null) {
            throw new IllegalArgumentException("no targets for source '" + source + "' (have " + targets.keySet() + ")");
        }
        int row = (validSplit ? validRow : trainRow)[track];
        System.arraycopy(t.z(), row * topics, dst, off, topics);
    }

    private int[][] eligibleOf(String source) {
        int[][] e = eligible.get(source);
        if (e == null) {
            throw new IllegalArgumentException("no source '" + source + "' (have self, " + targets.keySet() + ")");
        }
        return e;
    }

    private static int[] rows(MelStore s, Map<String, Integer> row, Path index, Path tracks) throws IOException {
        int[] r = new int[s.size()];
        for (int i = 0; i < r.length; i++) {
            Integer x = row.get(s.id(i));
            if (x == null) {
                throw new IOException(index + ": track " + s.id(i) + " (the store's track " + i + ") is not in "
                        + tracks);
            }
            r[i] = x;
        }
        return r;
    }

    private static int[] having(Targets t, int[] row) {
        int n = 0;
        int[] out = new int[row.length];
        for (int i = 0; i < row.length; i++) {
            if (t.mask()[row[i]] == 1) {
                out[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
