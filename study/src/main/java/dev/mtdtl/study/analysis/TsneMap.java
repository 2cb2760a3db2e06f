package dev.mtdtl.study.analysis;

import dev.mtdtl.data.Tsv;
import dev.mtdtl.eval.FeatureSet;
import dev.mtdtl.tensor.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fig. 16's data: one run's track vectors on one dataset mapped to 2-D by {@link Tsne} (columns
 * z-scored first, as the vectors mix means and standard deviations of different scales; at most 1000
 * tracks, a seeded subsample beyond), coloured by the dataset's first label column, with each label's
 * name at its tracks' centroid.
 *
 * <p>Under each label's name, the pLSA topic terms of the run's learning sources most associated with its
 * tracks ({@link TopicOverlay}: the run's own source heads on the tracks' representation, the terms that
 * {@code mtdtl prepare} keeps per topic); when they cannot be had, the note says why.
 */
public record TsneMap(String title, List<String> ids, double[][] xy, int[] labels, List<String> labelNames,
                      List<ClusterNote> clusterNotes, TopicOverlay topics, String note) {

    /** Text lines drawn at a data point of the map. */
    public record ClusterNote(double x, double y, List<String> lines) {}

    /**
     * The map of the features in {@code featuresDir} labelled by {@code datasetDir}/labels.tsv, with the topic
     * terms of {@code run} (a training run folder; null: none) read from {@code datasetDir}'s prepared folder.
     */
    public static TsneMap build(Path featuresDir, Path datasetDir, Path run, long seed) throws IOException {
        return build(featuresDir, datasetDir, run, seed, TopicOverlay.MIN_LIFT);
    }

    /** As above, showing a label's topic when its lift is at least {@code minLift} ({@link TopicOverlay}). */
    public static TsneMap build(Path featuresDir, Path datasetDir, Path run, long seed, double minLift)
            throws IOException {
        FeatureSet f = FeatureSet.read(featuresDir);
        Path lp = datasetDir.resolve("labels.tsv");
        if (!Files.isRegularFile(lp)) {
            throw new IllegalArgumentException(datasetDir + ": no labels.tsv for the t-SNE colours");
        }
        Tsv.Table t = Tsv.read(lp);
        int idc = t.column("track_id");
        int lc = idc == 0 ? 1 : 0;
        if (t.header().length < 2) {
            throw new IllegalArgumentException(lp + ": no label column besides track_id");
        }
        Map<String, String> label = new HashMap<>();
        for (String[] r : t.rows()) {
            label.put(r[idc], r[lc]);
        }
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < f.size(); i++) {
            if (label.containsKey(f.ids().get(i))) {
                rows.add(i);
            }
        }
        if (rows.size() < 4) {
            throw new IllegalArgumentException(featuresDir + ": " + rows.size() + " labelled track(s): too few for a map");
        }
        if (rows.size() > 1000) {            // seeded subsample: exact t-SNE is O(N^2)
            Rng rng = new Rng(seed ^ 0x5DEECE66DL);
            for (int i = rows.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                Integer tmp = rows.get(i);
                rows.set(i, rows.get(j));
                rows.set(j, tmp);
            }
            rows = new ArrayList<>(rows.subList(0, 1000));
            rows.sort(null);
        }
        int n = rows.size();
        int d = f.dims();
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(f.x(), rows.get(i) * d, x, i * d, d);
        }
        for (int c = 0; c < d; c++) {        // z-score each column; constant columns become 0
            double m = 0;
            double s2 = 0;
            for (int i = 0; i < n; i++) {
                m += x[i * d + c];
            }
            m /= n;
            for (int i = 0; i < n; i++) {
                s2 += (x[i * d + c] - m) * (x[i * d + c] - m);
            }
            double sd = Math.sqrt(s2 / n);
            for (int i = 0; i < n; i++) {
                x[i * d + c] = sd > 1e-12 ? (float) ((x[i * d + c] - m) / sd) : 0f;
            }
        }
        double[][] xy = Tsne.run(x, n, d, 30, 1000, seed);
        List<String> names = new ArrayList<>(new TreeSet<>(label.values()));
        List<String> ids = new ArrayList<>();
        int[] lab = new int[n];
        for (int i = 0; i < n; i++) {
            ids.add(f.ids().get(rows.get(i)));
            lab[i] = names.indexOf(label.get(ids.get(i)));
        }
        Path ds = datasetDir.toAbsolutePath().normalize();
        Path prepared = ds.getParent() == null ? null : ds.getParent().getParent();     // PREPARED/targets/D
        TopicOverlay topics = run == null ? TopicOverlay.none("No topic terms: no training run was found for "
                + featuresDir + " (give it with --tsne-run).")
                : prepared == null ? TopicOverlay.none("No topic terms: " + datasetDir + " is not PREPARED/targets/D.")
                : TopicOverlay.build(run, prepared.resolve("learning").resolve("targets"), f, rows, lab, names, minLift);
        List<ClusterNote> notes = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            double cx = 0;
            double cy = 0;
            int c = 0;
            for (int i = 0; i < n; i++) {
                if (lab[i] == k) {
                    cx += xy[i][0];
                    cy += xy[i][1];
                    c++;
                }
            }
            if (c > 0) {
                List<String> lines = new ArrayList<>(List.of(names.get(k)));
                topics.of(names.get(k)).forEach(r -> lines.add(r.source() + ": " + String.join(", ", r.terms())));
                notes.add(new ClusterNote(cx / c, cy / c, lines));
            }
        }
        String title = "t-SNE of " + f.name() + " on " + f.dataset();
        return new TsneMap(title, ids, xy, lab, names, notes, topics, f.name() + " (" + f.strategy() + ", "
                + f.sources() + "), " + n + " tracks, perplexity " + Math.round(Math.min(30, (n - 1) / 3.0))
                + ", 1000 iterations, seed " + seed + ". Coloured by the dataset's label '" + t.header()[lc]
                + "', each label's name at its tracks' centroid. " + topics.note());
    }
}
