package dev.mtdtl.eval;

import dev.mtdtl.data.Tsv;
import dev.mtdtl.factor.Csr;
import dev.mtdtl.factor.Ndcg;
import dev.mtdtl.factor.Wmf;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * One feature set on one target dataset, repeated (paper §4, reference digest 6.2–6.3): the MLP for
 * classification (accuracy) and regression (R² per label column, one model each, as the paper's code), WMF-ALS
 * with item features for recommendation (nDCG@500, both IDCG variants). Results are tidy rows
 * (run, strategy, sources, dataset, repetition, metric, value).
 */
public final class Evaluation {

    /** One result. */
    public record Row(String run, String strategy, String sources, String dataset, int repetition, String metric,
                      double value) {
        public String csv() {
            return String.join(",", run, strategy, sources, dataset, Integer.toString(repetition), metric,
                    String.format(Locale.ROOT, "%.6f", value));
        }
    }

    public static final String HEADER = "run,strategy,sources,dataset,repetition,metric,value";

    private Evaluation() {}

    /** Evaluate with {@code reps} repetitions (5 in the paper), MLP options derived from {@code seed}. */
    public static List<Row> run(FeatureSet f, TargetDataset ds, int reps, long seed, boolean standardize,
                                int maxEpochs, PrintStream log) throws IOException {
        return run(f, ds, reps, seed, standardize, maxEpochs, Wmf.Variant.REFERENCE_CODE, log);
    }

    /**
     * The most repetitions of one evaluation: the paper runs 5; the cap keeps a typo (2^31 - 1) from allocating
     * per-repetition state until the heap is gone, with a stack trace instead of a message.
     */
    public static final int MAX_REPETITIONS = 1000;

    /** Repetitions in [1, {@link #MAX_REPETITIONS}] and MLP epochs at least 1, or an error naming both. */
    public static void checkCounts(int reps, int maxEpochs) {
        if (reps < 1 || reps > MAX_REPETITIONS || maxEpochs < 1) {
            throw new IllegalArgumentException("evaluation repetitions must be from 1 to " + MAX_REPETITIONS
                    + " and MLP epochs at least 1, got " + reps + " and " + maxEpochs);
        }
    }

    /** As above with the WMF variant (decision 17: the reference code's by default). */
    public static List<Row> run(FeatureSet f, TargetDataset ds, int reps, long seed, boolean standardize,
                                int maxEpochs, Wmf.Variant variant, PrintStream log) throws IOException {
        checkCounts(reps, maxEpochs);
        if (!f.dataset().equals(ds.name) && !f.dataset().equals("null")) {
            throw new IllegalArgumentException("features of dataset '" + f.dataset() + "' given for dataset '"
                    + ds.name + "'");
        }
        return switch (ds.task) {
            case "classification", "regression" -> supervised(f, ds, reps, seed, standardize, maxEpochs, log);
            case "recommendation" -> recommendation(f, ds, reps, seed, variant, log);
            default -> throw new IllegalArgumentException(ds.dir + ": unknown task '" + ds.task + "'");
        };
    }

    /**
     * What the repetitions of an evaluation of {@code f} on {@code ds} vary, for the protocol record and the
     * console, as {@link #run} will do it on the tracks evaluated (the labelled tracks that have features; for
     * recommendation, the tracks with features). With a predefined fixed split only the model's seed changes
     * between repetitions (the paper's code), so their spread measures the model's variance, not the split's;
     * unless the split has no test track among those tracks, when the split file's folds are used instead
     * ({@link TargetDataset#fixedSplitFallsBackToFolds}).
     */
    public static String repetitionsDiffer(FeatureSet f, TargetDataset ds, boolean artistFolds) throws IOException {
        if (artistFolds) {
            return "the test fold (seeded artist-grouped 5 folds) and the model's seed";
        }
        return switch (ds.protocol) {
            case "fixed-split" -> {
                List<String> ids = evaluated(f, ds);
                yield ds.fixedSplitFallsBackToFolds(ids)
                        ? "the test fold and the model's seed (the predefined split puts none or all of the "
                        + ids.size() + " evaluated tracks in test, so repetition k tests fold k mod 5 of split.tsv)"
                        : FIXED_SPLIT_SEED_ONLY;
            }
            case "item-folds-20" -> "the held-out item fold and the model's seed";
            case "stratified-5-fold" -> ds.task.equals("classification")
                    ? "the seeded 5-fold partition of the whole set (every track tested once per repetition) and the "
                    + "models' seeds"
                    : "the test fold (fold k of split.tsv) and the model's seed";
            default -> "the split protocol '" + ds.protocol + "' and the model's seed";
        };
    }

    /** {@link #repetitionsDiffer} of a predefined split that is used as it is. */
    public static final String FIXED_SPLIT_SEED_ONLY =
            "the model's seed only (the predefined split is the same in every repetition)";

    // The track ids the supervised evaluation uses: labels.tsv's that f has, in labels.tsv's order.
    private static List<String> evaluated(FeatureSet f, TargetDataset ds) throws IOException {
        if (ds.task.equals("recommendation")) {
            return f.ids();
        }
        Tsv.Table t = ds.labels();
        int idc = t.column("track_id");
        java.util.Set<String> have = new java.util.HashSet<>(f.ids());
        List<String> ids = new ArrayList<>();
        for (String[] r : t.rows()) {
            if (have.contains(r[idc])) {
                ids.add(r[idc]);
            }
        }
        return ids;
    }

    // Row index of every feature id, checking that the ids and the labelled ids match.
    private static Map<String, Integer> match(FeatureSet f, List<String> labelled, String dataset, PrintStream log) {
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < f.size(); i++) {
            at.put(f.ids().get(i), i);
        }
        java.util.Set<String> lab = new java.util.HashSet<>(labelled);
        List<String> unknown = f.ids().stream().filter(i -> !lab.contains(i)).limit(5).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("features " + f.name() + " hold tracks that dataset " + dataset
                    + " does not label (in its labels.tsv), e.g. " + unknown + " (features of another dataset?)");
        }
        long missing = labelled.stream().filter(i -> !at.containsKey(i)).count();
        if (missing == labelled.size()) {
            throw new IllegalArgumentException("no track of dataset " + dataset + " has features in " + f.name());
        }
        if (missing > 0 && log != null) {
            log.printf(Locale.ROOT, "  %s: %d labelled track(s) have no features (skipped at prepare?); left out%n",
                    dataset, missing);
        }
        return at;
    }

    private static List<Row> supervised(FeatureSet f, TargetDataset ds, int reps, long seed, boolean standardize,
                                        int maxEpochs, PrintStream log) throws IOException {
        Tsv.Table t = ds.labels();
        int idc = t.column("track_id");
        List<String> ids = new ArrayList<>();
        for (String[] r : t.rows()) {
            ids.add(r[idc]);
        }
        Map<String, Integer> at = match(f, ids, ds.dir.toString(), log);
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (at.containsKey(ids.get(i))) {
                keep.add(i);
            }
        }
        int n = keep.size();
        int d = f.dims();
        float[] x = new float[n * d];
        List<String> kid = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = ids.get(keep.get(i));
            kid.add(id);
            System.arraycopy(f.x(), at.get(id) * d, x, i * d, d);
        }
        List<Row> rows = new ArrayList<>();
        boolean cls = ds.task.equals("classification");
        List<Integer> labelCols = new ArrayList<>();
        for (int c = 0; c < t.header().length; c++) {
            if (c != idc) {
                labelCols.add(c);
            }
        }
        int[] y = null;
        int k = 0;
        if (cls) {
            int c = labelCols.get(0);
            TreeSet<String> names = new TreeSet<>();
            keep.forEach(i -> names.add(t.rows().get(i)[c]));
            List<String> order = new ArrayList<>(names);
            k = order.size();
            y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = order.indexOf(t.rows().get(keep.get(i))[c]);
            }
        }
        // The fits: one per repetition (and label column, for a regression), or one per fold of a repetition's
        // whole-set partition. They are independent, so they run side by side, one a thread (an MLP gives the same
        // bits on any thread count, MlpBitsTest): the datasets are small (hundreds to a few thousand tracks), where
        // one fit's own parallel loops gained 1.25-1.35x on 2 cores, and side by side the fits took 0.69-0.70x the
        // time (bench/RESULTS.md, session 43). Memory: one fit's training copy and MLP per busy thread. Their rows
        // are then added in repetition order, as before.
        List<Fit> fits = new ArrayList<>();
        boolean[] wholeSet = new boolean[reps];
        for (int rep = 0; rep < reps; rep++) {
            long mseed = Rng.hash(seed, rep);
            int[] folds = cls ? ds.wholeSetFolds(y, rep, seed) : null;
            wholeSet[rep] = folds != null;
            if (folds == null) {
                boolean[] test = ds.testRows(kid, y, rep % 5, seed);
                for (List<Integer> cols : cls ? List.of(labelCols) : labelCols.stream().map(List::of).toList()) {
                    fits.add(new Fit(rep, test, mseed, cols));   // a regression's label columns: fits of their own
                }
                continue;
            }
            // k-fold over the whole set: every track is predicted once, by the model that did not see it, and the
            // repetition's accuracy is over all n tracks (n test items instead of n/5: a fifth of the binomial
            // variance); each repetition draws its own partition, so repetitions differ in the split too.
            for (int part = 0; part < TargetDataset.WHOLE_SET_FOLDS; part++) {
                boolean[] test = new boolean[n];
                for (int i = 0; i < n; i++) {
                    test[i] = folds[i] == part;
                }
                fits.add(new Fit(rep, test, Rng.hash(mseed, part), labelCols));
            }
        }
        int[][] preds = new int[fits.size()][];
        List<List<Row>> r2 = new ArrayList<>();
        for (int i = 0; i < fits.size(); i++) {
            r2.add(new ArrayList<>());
        }
        final int[] yf = y;
        final int kf = k;
        Parallel.forEach(fits.size(), (i, i0, i1) -> {
            Fit ft = fits.get(i);
            preds[i] = fitPart(x, n, d, yf, kf, t, keep, ft.cols(), ft.test(), ft.seed(), standardize, maxEpochs,
                    r2.get(i), f, ds.name, ft.rep());
        });
        int fit = 0;
        for (int rep = 0; rep < reps; rep++) {
            if (!wholeSet[rep]) {
                if (cls) {
                    boolean[] test = fits.get(fit).test();
                    rows.add(new Row(f.name(), f.strategy(), f.sources(), ds.name, rep, "accuracy",
                            Metrics.accuracy(select(y, test, true), select(preds[fit], test, true))));
                    fit++;
                    continue;
                }
                for (int c = 0; c < labelCols.size(); c++, fit++) {   // the label columns' R², in column order
                    rows.addAll(r2.get(fit));
                }
                continue;
            }
            int[] pred = new int[n];
            for (int part = 0; part < TargetDataset.WHOLE_SET_FOLDS; part++, fit++) {
                boolean[] test = fits.get(fit).test();
                for (int i = 0; i < n; i++) {
                    if (test[i]) {
                        pred[i] = preds[fit][i];
                    }
                }
            }
            rows.add(new Row(f.name(), f.strategy(), f.sources(), ds.name, rep, "accuracy", Metrics.accuracy(y, pred)));
        }
        return rows;
    }

    /** One MLP fit of an evaluation: its repetition, test rows, model seed and label columns. */
    private record Fit(int rep, boolean[] test, long seed, List<Integer> cols) {}

    /**
     * Train on the rows not in {@code test} and evaluate on those in it. Classification: returns the predicted
     * class of every row (index i of the result is row i; rows not in {@code test} are 0). Regression: adds one
     * R² row per label column to {@code rows} and returns null.
     */
    private static int[] fitPart(float[] x, int n, int d, int[] y, int k, Tsv.Table t, List<Integer> keep,
                                 List<Integer> labelCols, boolean[] test, long mseed, boolean standardize,
                                 int maxEpochs, List<Row> rows, FeatureSet f, String dataset, int rep) {
        int ntr = 0;
        for (boolean b : test) {
            ntr += b ? 0 : 1;
        }
        int nte = n - ntr;
        float[] xtr = new float[ntr * d];
        float[] xte = new float[nte * d];
        int[] tr = new int[ntr];
        int[] te = new int[nte];
        for (int i = 0, a = 0, b = 0; i < n; i++) {
            if (test[i]) {
                System.arraycopy(x, i * d, xte, b * d, d);
                te[b++] = i;
            } else {
                System.arraycopy(x, i * d, xtr, a * d, d);
                tr[a++] = i;
            }
        }
        Mlp.Options o = Mlp.Options.sklearn(mseed).withStandardize(standardize).withMaxEpochs(maxEpochs);
        if (y != null) {
            int[] ytr = new int[ntr];
            for (int i = 0; i < ntr; i++) {
                ytr[i] = y[tr[i]];
            }
            Mlp m = Mlp.classifier(xtr, ntr, d, ytr, k, o);
            int[] p = m.predictClass(xte, nte);
            int[] pred = new int[n];
            for (int i = 0; i < nte; i++) {
                pred[te[i]] = p[i];
            }
            return pred;
        }
        for (int c : labelCols) {
            float[] ytr = new float[ntr];
            float[] yte = new float[nte];
            for (int i = 0; i < ntr; i++) {
                ytr[i] = value(t, keep.get(tr[i]), c);
            }
            for (int i = 0; i < nte; i++) {
                yte[i] = value(t, keep.get(te[i]), c);
            }
            Mlp m;
            try {
                m = Mlp.regressor(xtr, ntr, d, ytr, 1, o);
            } catch (IllegalStateException e) {
                // a diverged fit: labels far from unit scale (the targets are fitted unscaled, as scikit-learn's
                // MLPRegressor does) are the usual cause; name the file and the column so they can be looked at
                float lo = Float.POSITIVE_INFINITY;
                float hi = Float.NEGATIVE_INFINITY;
                for (float v : ytr) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                throw new IllegalStateException(t.file() + ": label column " + t.header()[c] + ", " + dataset + ", "
                        + f.name() + ", repetition " + rep + ": " + e.getMessage() + "; its training labels range from "
                        + lo + " to " + hi, e);
            }
            double r2 = Metrics.r2(yte, m.predictRaw(xte, nte), nte, 1);
            rows.add(new Row(f.name(), f.strategy(), f.sources(), dataset, rep, "r2_" + t.header()[c], r2));
        }
        return null;
    }

    // The entries of v whose mask equals want, in row order.
    private static int[] select(int[] v, boolean[] mask, boolean want) {
        int c = 0;
        for (boolean b : mask) {
            c += b == want ? 1 : 0;
        }
        int[] out = new int[c];
        for (int i = 0, j = 0; i < v.length; i++) {
            if (mask[i] == want) {
                out[j++] = v[i];
            }
        }
        return out;
    }

    private static float value(Tsv.Table t, int row, int c) {
        String s = t.rows().get(row)[c];
        try {
            float v = Float.parseFloat(s);
            if (Float.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(t.file() + ":" + (row + 2) + ": '" + s + "' is not a finite float32 number");
    }

    private static List<Row> recommendation(FeatureSet f, TargetDataset ds, int reps, long seed, Wmf.Variant variant,
                                            PrintStream log)
            throws IOException {
        Path pf = ds.dir.resolve("plays.tsv");
        if (!Files.isRegularFile(pf)) {
            throw new IllegalArgumentException(ds.dir + ": no plays.tsv in " + ds.dir);
        }
        Tsv.Table p = Tsv.read(pf);
        if (p.rows().isEmpty()) {
            throw new IllegalArgumentException(pf + ": empty dataset (no plays)");
        }
        int cu = p.column("user_id");
        int ct = p.column("track_id");
        int cc = p.column("play_count");
        List<String> items = f.ids();
        Map<String, Integer> item = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            item.put(items.get(i), i);
        }
        Map<String, Integer> user = new HashMap<>();
        List<int[]> obs = new ArrayList<>();
        List<Double> cnt = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String[] r : p.rows()) {
            Integer i = item.get(r[ct]);
            if (i == null) {
                if (unknown.size() < 5) {
                    unknown.add(r[ct]);
                }
                continue;
            }
            int u = user.computeIfAbsent(r[cu], k -> user.size());
            obs.add(new int[]{u, i});
            cnt.add(Double.parseDouble(r[cc]));
        }
        if (obs.isEmpty()) {
            throw new IllegalArgumentException(pf + ": no play is of a track with features (features of another dataset?)");
        }
        if (!unknown.isEmpty() && log != null) {
            log.printf(Locale.ROOT, "  %s: plays of tracks without features left out, e.g. %s%n", ds.name, unknown);
        }
        int nu = user.size();
        int ni = items.size();
        List<Row> rows = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            boolean[] held = ds.testRows(items, null, rep % 20, seed);
            int[] ru = new int[obs.size()];
            int[] ri = new int[obs.size()];
            double[] rv = new double[obs.size()];
            int nn = 0;
            boolean[][] trainOf = new boolean[nu][ni];
            boolean[][] heldOf = new boolean[nu][ni];
            for (int e = 0; e < obs.size(); e++) {
                int u = obs.get(e)[0];
                int i = obs.get(e)[1];
                if (held[i]) {
                    heldOf[u][i] = true;
                } else {
                    ru[nn] = u;
                    ri[nn] = i;
                    rv[nn++] = cnt.get(e);
                    trainOf[u][i] = true;
                }
            }
            Csr counts = Csr.fromTriplets(nu, ni, ru, ri, rv, nn);
            Wmf.Model m;
            try {
                m = Wmf.fit(counts, f.x(), f.dims(),
                        Wmf.Options.defaults().withSeed(Rng.hash(seed, rep)).withVariant(variant));
            } catch (IllegalStateException e) {
                // The reference code's V update pulls towards the content prediction 10^4 times harder than
                // its own objective; on small data (few plays per item) it can diverge.
                throw new IllegalStateException(ds.name + ", " + f.name() + ", repetition " + rep + ": WMF failed ("
                        + e.getMessage() + ")" + (variant == Wmf.Variant.REFERENCE_CODE
                        ? "; the reference code's update can diverge on small data: try --wmf-variant paper" : ""), e);
            }
            double[] cf = m.contentFactors();
            double[] scores = new double[ni];
            double[] paper = new double[nu];
            double[] trunc = new double[nu];
            for (int u = 0; u < nu; u++) {
                m.scoreUser(scores, cf, u);
                paper[u] = Ndcg.recsys(scores, trainOf[u], heldOf[u], 500, Ndcg.Idcg.UNTRUNCATED_PAPER_ERA);
                trunc[u] = Ndcg.recsys(scores, trainOf[u], heldOf[u], 500, Ndcg.Idcg.TRUNCATED);
            }
            rows.add(new Row(f.name(), f.strategy(), f.sources(), ds.name, rep, "ndcg500",
                    Ndcg.meanOverUsers(paper)));
            rows.add(new Row(f.name(), f.strategy(), f.sources(), ds.name, rep, "ndcg500_truncated_idcg",
                    Ndcg.meanOverUsers(trunc)));
        }
        return rows;
    }

    /** Write rows as the tidy results CSV (atomically). */
    public static void write(Path file, List<Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        rows.forEach(r -> sb.append(r.csv()).append('\n'));
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** The largest magnitude a results CSV's value may have ({@link #read}); metrics are within a few units. */
    public static final double MAX_ABS_VALUE = 1e100;

    /** Read a results CSV written by {@link #write}. */
    public static List<Row> read(Path file) throws IOException {
        List<String> lines = dev.mtdtl.tensor.io.TextFiles.lines(file);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException(file + ": not a results CSV (header must be '" + HEADER + "')");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] c = lines.get(i).split(",", -1);
            if (c.length != 7) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected 7 columns, got " + c.length);
            }
            double v;
            int rep;
            try {
                rep = Integer.parseInt(c[4]);
                v = Double.parseDouble(c[6]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
            // NaN stays readable (a metric may be undefined); a value past MAX_ABS_VALUE is a damaged file, and the
            // analysis' squares and sums of it would overflow to infinities that no report can show.
            if (Double.isInfinite(v) || Math.abs(v) > MAX_ABS_VALUE) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": value " + c[6]
                        + " is out of range (a metric's value is within +-" + MAX_ABS_VALUE + ")");
            }
            rows.add(new Row(c[0], c[1], c[2], c[3], rep, c[5], v));
        }
        return rows;
    }
}
