package dev.mtdtl.eval;

import dev.mtdtl.data.Tsv;
import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A prepared target dataset ({@code PREPARED/targets/D/}, docs/prepare.md): its mel store, task, protocol
 * and tables, as read from {@code PREPARED/prepared.json}, plus the split logic (decision 16).
 *
 * <p>Protocols: {@code fixed-split} (train+valid vs test, the same split for every repetition: only the
 * model's seed changes, as the paper's code), {@code stratified-5-fold} (no predefined split; for
 * classification, every repetition is a k-fold over the whole set with its own seeded stratified partition
 * ({@link #wholeSetFolds}), so every track is tested once per repetition and repetitions differ; for
 * regression, repetition k tests fold k of the split file's {@code fold} column, or of a seeded stratified
 * k-fold drawn here without that column), and {@code item-folds-20} (recommendation: repetition k holds out
 * the items of fold k, 5% of them).
 */
public final class TargetDataset {

    public final String name;
    public final Path dir;
    public final Path prepared;
    public final String task;
    public final String protocol;
    /** split.tsv rows by track id: {split, fold}. */
    private final Map<String, String[]> split = new HashMap<>();
    /** Artist of every track (tracks.tsv), for artist-grouped folds. */
    private final Map<String, String> artist = new HashMap<>();
    private boolean byArtist;

    private TargetDataset(String name, Path dir, Path prepared, String task, String protocol) {
        this.name = name;
        this.dir = dir;
        this.prepared = prepared;
        this.task = task;
        this.protocol = protocol;
    }

    /** Open {@code PREPARED/targets/D}. */
    @SuppressWarnings("unchecked")
    public static TargetDataset open(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        Path root = d.getParent() == null ? null : d.getParent().getParent();
        if (root == null || !Files.isRegularFile(root.resolve("prepared.json"))) {
            throw new IllegalArgumentException(dir + ": not a prepared target dataset (expected PREPARED/targets/D "
                    + "with PREPARED/prepared.json; run 'mtdtl prepare')");
        }
        Path pj = root.resolve("prepared.json");
        Map<String, Object> j = Json.parseObject(dev.mtdtl.tensor.io.TextFiles.read(pj), pj.toString());
        String name = d.getFileName().toString();
        if (!(j.get("targets") instanceof Map<?, ?> targets) || !(targets.get(name) instanceof Map<?, ?> e0)) {
            throw new IllegalArgumentException(pj + " lists no target dataset '" + name + "'");
        }
        Map<String, Object> e = (Map<String, Object>) e0;
        TargetDataset t = new TargetDataset(name, d, root, String.valueOf(e.get("task")),
                String.valueOf(e.get("protocol")));
        Path sp = d.resolve("split.tsv");
        if (Files.isRegularFile(sp)) {
            Tsv.Table s = Tsv.read(sp);
            int ci = s.column("track_id");
            int cs = s.column("split");
            int cf = indexOf(s.header(), "fold");
            for (int i = 0; i < s.rows().size(); i++) {
                String[] r = s.rows().get(i);
                String fold = cf < 0 ? "" : r[cf];
                // checked here, where the file is known, rather than where a repetition first uses a value ("none":
                // the split of a dataset evaluated by folds only, as synth writes for recsys)
                if (!List.of("train", "valid", "test", "none").contains(r[cs])
                        || !fold.isEmpty() && !fold.matches("\\d{1,9}")) {
                    throw new IllegalArgumentException(sp + ":" + (i + 2) + ": split '" + r[cs] + "', fold '" + fold
                            + "' (expected train, valid, test or none, and a nonnegative integer or nothing)");
                }
                t.split.put(r[ci], new String[]{r[cs], fold});
            }
        }
        Path tp = d.resolve("tracks.tsv");
        if (Files.isRegularFile(tp)) {
            Tsv.Table tt = Tsv.read(tp);
            int ca = indexOf(tt.header(), "artist_id");
            if (ca >= 0) {
                int ci = tt.column("track_id");
                for (String[] r : tt.rows()) {
                    t.artist.put(r[ci], r[ca]);
                }
            }
        }
        return t;
    }

    /**
     * Use artist-grouped 5-fold splits instead of the protocol (repetition k tests fold k), so that no
     * artist has tracks on both sides; needs tracks.tsv with an artist_id column.
     */
    public TargetDataset withArtistFolds(boolean on) {
        if (on && artist.isEmpty()) {
            throw new IllegalArgumentException(dir + ": artist folds need tracks.tsv with an artist_id column in " + dir);
        }
        byArtist = on;
        return this;
    }

    private static int indexOf(String[] h, String c) {
        for (int i = 0; i < h.length; i++) {
            if (h[i].equals(c)) {
                return i;
            }
        }
        return -1;
    }

    /** The dataset's whole-file mel store; standardised with the learning split's statistics if asked. */
    public MelStore store(boolean standardised) throws IOException {
        if (!standardised) {
            return MelStore.open(dir, "all");
        }
        return MelStore.open(dir, "all", dev.mtdtl.data.store.LearningData.stats(prepared));
    }

    /** Label columns of labels.tsv (besides track_id), in file order. */
    public Tsv.Table labels() throws IOException {
        Path p = dir.resolve("labels.tsv");
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(dir + ": no labels.tsv in " + dir);
        }
        Tsv.Table t = Tsv.read(p);
        if (t.rows().isEmpty()) {
            throw new IllegalArgumentException(p + ": empty dataset (no labelled tracks)");
        }
        return t;
    }

    /** Split of a track: "train", "valid" or "test"; fold or -1. Null if the split file omits it. */
    public String splitOf(String id) {
        String[] s = split.get(id);
        return s == null ? null : s[0];
    }

    public int foldOf(String id) {
        String[] s = split.get(id);
        return s == null || s[1].isEmpty() ? -1 : Integer.parseInt(s[1]);
    }

    /** Folds of the k-fold over the whole set ({@link #wholeSetFolds}). */
    public static final int WHOLE_SET_FOLDS = 5;

    /**
     * The partition of repetition {@code rep} when this dataset is evaluated by k-fold over the whole set, else
     * null: for classification ({@code classes} not null) under the {@code stratified-5-fold} protocol (the
     * dataset has no predefined split) and without artist folds. Each repetition draws its own seeded
     * stratified partition (seed = hash(seed, rep) under a salt of its own), so repetitions differ in the split
     * and not only in the model's seed; the {@code fold} column of split.tsv is not used for classification.
     *
     * @param classes class index of every row (N)
     * @return fold in [0, {@link #WHOLE_SET_FOLDS}) of every row (N), or null
     */
    public int[] wholeSetFolds(int[] classes, int rep, long seed) {
        if (classes == null || byArtist || !protocol.equals("stratified-5-fold")) {
            return null;
        }
        try {
            return stratifiedFolds(classes, WHOLE_SET_FOLDS, Rng.hash(seed ^ KFOLD_SALT, rep));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    // Keeps the whole-set partitions' random stream apart from the MLP seeds (hash(seed, rep)).
    private static final long KFOLD_SALT = 0x6B666F6C64L;

    /**
     * Test-membership per row for repetition {@code rep}: rows are given by their track ids and (for
     * stratified protocols) class labels.
     */
    public boolean[] testRows(List<String> ids, int[] classes, int rep, long seed) {
        int n = ids.size();
        boolean[] test = new boolean[n];
        if (byArtist) {
            String[] a = new String[n];
            for (int i = 0; i < n; i++) {
                a[i] = artist.get(ids.get(i));
                if (a[i] == null) {
                    throw new IllegalArgumentException(dir + ": track " + ids.get(i) + " has no artist in tracks.tsv");
                }
            }
            int[] fold = artistFolds(a, 5, seed);
            for (int i = 0; i < n; i++) {
                test[i] = fold[i] == rep % 5;
            }
            int nt = count(test);
            if (nt == 0 || nt == n) {
                throw new IllegalArgumentException(dir + ": artist fold " + rep % 5 + " has " + nt + " tracks of " + n);
            }
            return test;
        }
        switch (protocol) {
            case "fixed-split" -> {
                if (fixedSplitFallsBackToFolds(ids)) {
                    for (int i = 0; i < n; i++) {
                        test[i] = foldOf(ids.get(i)) % 5 == rep % 5;
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        test[i] = "test".equals(splitOf(ids.get(i)));
                    }
                }
            }
            case "stratified-5-fold", "item-folds-20" -> {
                boolean haveFolds = ids.stream().allMatch(i -> foldOf(i) >= 0);
                int[] fold;
                if (haveFolds) {
                    fold = ids.stream().mapToInt(this::foldOf).toArray();
                } else if (classes != null) {
                    fold = stratifiedFolds(classes, 5, seed);
                } else {
                    throw new IllegalArgumentException(dir + ": split.tsv has no fold for every track");
                }
                for (int i = 0; i < n; i++) {
                    test[i] = fold[i] == rep;
                }
            }
            default -> throw new IllegalArgumentException(dir + ": unknown protocol '" + protocol + "'");
        }
        int nt = count(test);
        if (nt == 0 || nt == n) {
            throw new IllegalArgumentException(dir + ": repetition " + rep + " has " + nt + " test rows of " + n
                    + " (the split leaves one side empty)");
        }
        return test;
    }

    /**
     * Whether {@link #testRows} leaves this dataset's predefined split for the split file's folds on the tracks
     * {@code ids}: under {@code fixed-split} (and no artist folds), when the split puts none or all of them in
     * test and split.tsv gives every one a fold. A tiny corpus can draw such a split (emotion: 83/17 by coin
     * flips); repetition k then tests fold k mod 5, so repetitions differ by the test fold as well as by the
     * model's seed. A track missing from split.tsv is an error naming it.
     */
    public boolean fixedSplitFallsBackToFolds(List<String> ids) {
        if (byArtist || !protocol.equals("fixed-split")) {
            return false;
        }
        int nt = 0;
        for (String id : ids) {
            String s = splitOf(id);
            if (s == null) {
                throw new IllegalArgumentException(dir + ": track " + id + " is not in split.tsv");
            }
            nt += s.equals("test") ? 1 : 0;
        }
        return (nt == 0 || nt == ids.size()) && ids.stream().allMatch(i -> foldOf(i) >= 0);
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) {
            c += x ? 1 : 0;
        }
        return c;
    }

    /**
     * Seeded artist-grouped k-fold: artists in a seeded random order, each (with all its tracks) dealt to the
     * fold that has the fewest tracks so far, so every artist is on one side and fold sizes stay close.
     */
    public static int[] artistFolds(String[] artists, int k, long seed) {
        Map<String, List<Integer>> byA = new LinkedHashMap<>();
        for (int i = 0; i < artists.length; i++) {
            byA.computeIfAbsent(artists[i], x -> new ArrayList<>()).add(i);
        }
        if (byA.size() < k) {
            throw new IllegalArgumentException(byA.size() + " artist(s), too few for " + k + " artist-grouped folds");
        }
        List<String> order = new ArrayList<>(new TreeSet<>(byA.keySet()));
        Rng rng = new Rng(seed);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            String tmp = order.get(i);
            order.set(i, order.get(j));
            order.set(j, tmp);
        }
        int[] size = new int[k];
        int[] fold = new int[artists.length];
        for (String a : order) {
            int f = 0;
            for (int c = 1; c < k; c++) {
                if (size[c] < size[f]) {
                    f = c;
                }
            }
            for (int r : byA.get(a)) {
                fold[r] = f;
            }
            size[f] += byA.get(a).size();
        }
        return fold;
    }

    /**
     * Seeded stratified k-fold (as sklearn's StratifiedKFold with shuffle): within each class, a seeded
     * shuffle dealt round-robin to the folds, the deal continuing across classes so fold sizes differ by at
     * most one. Every class needs at least k members.
     */
    public static int[] stratifiedFolds(int[] classes, int k, long seed) {
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < classes.length; i++) {
            byClass.computeIfAbsent(classes[i], c -> new ArrayList<>()).add(i);
        }
        int[] fold = new int[classes.length];
        Rng rng = new Rng(seed);
        int next = 0;
        for (int c : new TreeSet<>(byClass.keySet())) {
            List<Integer> rows = byClass.get(c);
            if (rows.size() < k) {
                throw new IllegalArgumentException("class " + c + " has " + rows.size() + " member(s), too few for a "
                        + "stratified " + k + "-fold split (needs at least " + k + ")");
            }
            for (int i = rows.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                Integer tmp = rows.get(i);
                rows.set(i, rows.get(j));
                rows.set(j, tmp);
            }
            for (int r : rows) {
                fold[r] = next;
                next = (next + 1) % k;
            }
        }
        return fold;
    }
}
