package dev.mtdtl.data.prepare;

import dev.mtdtl.factor.Csr;
import dev.mtdtl.factor.Gmm1d;
import dev.mtdtl.factor.Plsa;
import dev.mtdtl.factor.TfIdf;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The learning targets z_t (decision 7 of the reference digest): for each source of the corpus manifest
 * a (N, K) float32 matrix, rows in the order of the learning corpus's tracks.tsv, each row a
 * probability vector (sums to 1) for a track that has the label and all zeros for one that has not,
 * plus a presence mask (N) int32 of 1/0. Letters: N learning tracks, K topics/components (50).
 *
 * <ul>
 *   <li>{@code plsa} (tag, taste, cdr_tag): pLSA on the track x term weights, z = P(topic | track).
 *       Tag intensity 0 counts as 1 (as in the reference).</li>
 *   <li>{@code tfidf-plsa} (lyrics): TF-IDF (smooth idf, l2 rows) first, then pLSA on the weights.</li>
 *   <li>{@code artist-tag-plsa} (artist): artist x tag = (track x artist)^T (track x tag intensities),
 *       pLSA with artists as documents, each track inheriting its artist's row.</li>
 *   <li>{@code gmm} (bpm, year): a K-component 1-D Gaussian mixture on the raw values, z = posteriors; for
 *       bpm, the posteriors of a tempo observed with a relative uncertainty ({@link #BPM_NOISE}, below).</li>
 *   <li>{@code none} (self): nothing (its label is made at training time).</li>
 * </ul>
 * Every model is fitted on all rows of its source file (the reference's ASSUMED choice), then looked up
 * for the corpus's tracks; the seed of source s is {@code Rng.hash(seed, s's position in the manifest)}.
 *
 * <p>Files: {@code DIR/<source>.npy} (N, K) and {@code DIR/<source>.mask.npy} (N), each written atomically;
 * a source whose two files exist is not refitted (resume). A pLSA source also gets
 * {@code DIR/<source>.topics.tsv}, its topics' most probable terms ({@link TopicTerms}), written before the
 * targets; a folder prepared before that file existed gets it on the next run of prepare by a refit whose
 * targets must equal the stored ones bit for bit (they are not rewritten either way).
 *
 * <p>Omitted: fitting on a subset, pLSA folding-in of unseen tracks.
 */
public final class LearningTargets {

    /**
     * Default relative uncertainty of a bpm label, used for its GMM posteriors: component k's variance becomes
     * sigma_k^2 + (f mu_k)^2, the density of a tempo observed with multiplicative noise of standard deviation f
     * (the mixture itself is fitted as the reference does: raw values, K components). Why: fitted on a few hundred
     * tempi, 50 components are 1-3 BPM wide and the raw posteriors are one-hot (mean largest posterior 0.92, mean
     * entropy 0.20 nats on the quickstart's 396 labelled tracks), so the bpm task is a 50-way classification into
     * bins narrower than the labels' own noise (the built-in corpus: +-2% jitter; the Echo Nest estimates behind
     * the real source err by more), with no notion that 123 BPM is nearer to 120 than 60 is. A network trained on
     * it for the quickstart's budget memorises the training tracks (validation KL 3.25 nats against 3.46 for the
     * class prior) and represents tempo worse than an untrained one. With f = 0.05 the targets spread over the
     * components within about +-5% (mean entropy 2.1 nats): neighbouring tempi share targets, and the same budget
     * explains a third of the prior's KL on the validation tracks (docs/corpus.md, "Calibration"). 0 gives the
     * reference's raw posteriors.
     */
    public static final double BPM_NOISE = 0.05;

    /** What was done for one source. */
    public record Summary(String source, String model, int covered, int rows, boolean reused, double seconds) {}

    private LearningTargets() {}

    /** Compute (or reuse) the targets of every source; returns one summary per source with a model. */
    @SuppressWarnings("unchecked")
    public static List<Summary> build(Path corpus, Map<String, Object> sources, List<String> tracks, Path dir,
                                      int k, int iterations, double bpmNoise, long seed, Consumer<String> log)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < tracks.size(); i++) {
            row.put(tracks.get(i), i);
        }
        List<Summary> out = new ArrayList<>();
        int position = 0;
        for (Map.Entry<String, Object> e : sources.entrySet()) {
            String name = e.getKey();
            Map<String, Object> s = spec(corpus, name, e.getValue());
            long srcSeed = Rng.hash(seed, position++);
            String model = (String) s.get("model");
            if (model == null || model.equals("none")) {
                continue;
            }
            Path zf = dir.resolve(name + ".npy");
            Path mf = dir.resolve(name + ".mask.npy");
            Path tf = TopicTerms.file(dir, name);
            if (Files.isRegularFile(zf) && Files.isRegularFile(mf)) {
                if (PLSA_MODELS.contains(model) && !Files.isRegularFile(tf)) {
                    addTopics(corpus, name, s, sources, model, zf, tf, row, tracks.size(), k, iterations, srcSeed, log);
                }
                int[] mask = Npy.read(mf).toInt();
                int c = 0;
                for (int m : mask) {
                    c += m;
                }
                out.add(new Summary(name, model, c, mask.length, true, 0));
                continue;
            }
            long t0 = System.nanoTime();
            long zLength = (long) tracks.size() * k;
            if (zLength > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(name + ": " + tracks.size() + " tracks x " + k + " topics is more "
                        + "than one array holds; use fewer topics");
            }
            float[] z = new float[(int) zLength];
            switch (model) {
                case "gmm" -> gmm(corpus, s, row, z, k, iterations, name.equals("bpm") ? bpmNoise : 0, srcSeed);
                case "plsa", "tfidf-plsa", "artist-tag-plsa" -> {
                    // Topic terms first: z's presence marks the source done, so a crash before it refits both.
                    Fitted f = fitPlsa(corpus, name, s, sources, model, k, iterations, srcSeed, log);
                    if (f.fit() != null) {
                        TopicTerms.write(tf, f.fit(), f.terms());
                    }
                    f.scatter(row, z, k);
                }
                default -> throw new IOException(corpus.resolve("manifest.json") + ": source " + name
                        + " has unknown model '" + model + "'");
            }
            int[] mask = new int[tracks.size()];
            int covered = 0;
            for (int i = 0; i < mask.length; i++) {
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += z[i * k + j];
                }
                mask[i] = sum > 0 ? 1 : 0;
                covered += mask[i];
            }
            Npy.writeInt(mf, mask, mask.length);
            Npy.writeFloat(zf, z, tracks.size(), k);
            double sec = (System.nanoTime() - t0) / 1e9;
            log.accept(String.format(java.util.Locale.ROOT, "target %s (%s): %d of %d tracks covered, %.1f s",
                    name, model, covered, tracks.size(), sec));
            out.add(new Summary(name, model, covered, tracks.size(), false, sec));
        }
        return out;
    }

    /**
     * Source {@code name}'s entry of the manifest's learning.sources, its fields checked before any is used: an object;
     * {@code model} absent or a string; a source with a model names its {@code file} and {@code track_column}, a
     * pLSA one its {@code term_column}, a GMM one its {@code value_column}; optional fields, when present, are
     * strings. Anything else is an IOException naming manifest.json and the field (a fuzzed manifest without a
     * source's {@code file} line ended in a NullPointerException).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(Path corpus, String name, Object entry) throws IOException {
        Path mf = corpus.resolve("manifest.json");
        String where = mf + ": learning.sources." + name;
        if (!(entry instanceof Map)) {
            throw new IOException(where + " is not an object");
        }
        Map<String, Object> s = (Map<String, Object>) entry;
        Object model = s.get("model");
        if (model != null && !(model instanceof String)) {
            throw new IOException(where + ".model is not a string");
        }
        boolean fitted = model != null && !model.equals("none");
        stringField(s, "file", fitted, where, model);
        stringField(s, "track_column", fitted, where, model);
        stringField(s, "term_column", fitted && PLSA_MODELS.contains(model), where, model);
        stringField(s, "value_column", "gmm".equals(model), where, model);
        stringField(s, "tags_from", false, where, model);
        return s;
    }

    /** Field {@code key} of a source entry: a string, or absent unless {@code required}; else an IOException. */
    private static void stringField(Map<String, Object> s, String key, boolean required, String where, Object model)
            throws IOException {
        Object v = s.get(key);
        if (v == null && required) {
            throw new IOException(where + " has no '" + key + "' (its model " + model + " needs one)");
        }
        if (v != null && !(v instanceof String)) {
            throw new IOException(where + "." + key + " is not a string");
        }
    }

    private static SourceTable.Matrix matrix(Path corpus, Map<String, Object> s, double floor) throws IOException {
        return SourceTable.readMatrix(corpus.resolve((String) s.get("file")), (String) s.get("track_column"),
                (String) s.get("term_column"), (String) s.get("value_column"), floor);
    }

    /** @param noise relative uncertainty of a value (0: the fitted mixture's own posteriors) */
    private static void gmm(Path corpus, Map<String, Object> s, Map<String, Integer> row, float[] z, int k,
                            int iterations, double noise, long seed) throws IOException {
        SourceTable.Scalars v = SourceTable.readScalars(corpus.resolve((String) s.get("file")),
                (String) s.get("track_column"), (String) s.get("value_column"));
        if (v.values().length == 0) {
            return;
        }
        Gmm1d.Fit fit = Gmm1d.fit(v.values(), Gmm1d.Options.defaults().withComponents(k).withMaxIter(iterations)
                .withSeed(seed));
        float[] p = Gmm1d.predictProbaFloat(noise > 0 ? widened(fit.params(), noise) : fit.params(), v.values());
        scatter(p, v.ids(), row, z, k);
    }

    /**
     * The mixture convolved with multiplicative observation noise of relative standard deviation f: a value x
     * observed as x (1 + e), e ~ N(0, f^2), has, near component k, density N(mu_k, sigma_k^2 + (f mu_k)^2) to
     * first order; weights and means stay.
     */
    static Gmm1d.Params widened(Gmm1d.Params p, double f) {
        double[] var = p.variances().clone();
        for (int j = 0; j < var.length; j++) {
            double sd = f * p.means()[j];
            var[j] += sd * sd;
        }
        return new Gmm1d.Params(p.weights(), p.means(), var);
    }

    /** The models whose targets are pLSA topics (and so have topic terms). */
    public static final java.util.Set<String> PLSA_MODELS = java.util.Set.of("plsa", "tfidf-plsa", "artist-tag-plsa");

    /**
     * A pLSA source's fit: the model (null when nothing was left to fit), the names of its T terms, and the
     * targets it gives, p (ids, K) for the tracks {@code ids} of the source's file.
     */
    private record Fitted(Plsa.Result fit, List<String> terms, float[] p, List<String> ids) {
        void scatter(Map<String, Integer> row, float[] z, int k) {
            LearningTargets.scatter(p, ids, row, z, k);
        }
    }

    private static Fitted fitPlsa(Path corpus, String name, Map<String, Object> s, Map<String, Object> sources,
                                  String model, int k, int iterations, long seed, Consumer<String> log)
            throws IOException {
        Plsa.Progress progress = progress(name, model, log, PROGRESS_SECONDS);
        if (model.equals("artist-tag-plsa")) {
            return artist(corpus, s, sources, k, iterations, seed, progress);
        }
        SourceTable.Matrix m = matrix(corpus, s, name.equals("tag") ? 1.0 : 0.0);
        Csr w = model.equals("plsa") ? m.matrix() : TfIdf.transform(m.matrix(), TfIdf.Norm.L2);
        Plsa.Result fit = plsa(w, k, iterations, seed, progress);
        return new Fitted(fit, m.colIds(), fit == null ? new float[w.rows * k] : fit.docTopicFloat(), m.rowIds());
    }

    /**
     * A folder prepared before topic terms were kept: refit the source (the same seed and data give the same
     * fit) and write its terms only if the refit's targets are bit-identical to the stored ones, so the terms
     * belong to the z that training used; the targets themselves are never rewritten.
     */
    private static void addTopics(Path corpus, String name, Map<String, Object> s, Map<String, Object> sources,
                                  String model, Path zf, Path tf, Map<String, Integer> row, int n, int k,
                                  int iterations, long seed, Consumer<String> log) throws IOException {
        long t0 = System.nanoTime();
        Fitted f = fitPlsa(corpus, name, s, sources, model, k, iterations, seed, log);
        if (f.fit() == null) {
            return;
        }
        float[] z = new float[n * k];
        f.scatter(row, z, k);
        String sec = String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9);
        if (!java.util.Arrays.equals(z, Npy.read(zf).toFloat())) {
            log.accept("topics " + name + ": not kept: refitted in " + sec + ", but the refit's targets differ from "
                    + zf + " (prepared by another version?); prepare into a new folder to have them");
            return;
        }
        TopicTerms.write(tf, f.fit(), f.terms());
        log.accept("topics " + name + ": added to a folder prepared without them (refitted in " + sec
                + ", targets unchanged)");
    }

    /**
     * EM's progress in prepare's log, at most every {@link #PROGRESS_SECONDS} (the last iteration is the source's own
     * summary line): a paper-size source runs for minutes (the Taste Profile's 48 M entries: bench/RESULTS.md,
     * "Session 46"), silent before.
     */
    static Plsa.Progress progress(String name, String model, Consumer<String> log, double everySeconds) {
        long[] start = {System.nanoTime()};   // EM's start (reset at iteration 0: reading the table is not EM)
        long[] last = {start[0]};
        return (done, max, ll) -> {
            long now = System.nanoTime();
            if (done == 0) {
                start[0] = now;
                last[0] = now;
            } else if (done < max && now - last[0] >= everySeconds * 1e9) {
                last[0] = now;
                double per = (now - start[0]) / 1e9 / done;
                log.accept(String.format(java.util.Locale.ROOT, "target %s (%s): EM iteration %d of %d, "
                        + "log-likelihood %.6g, %.1f s an iteration, about %.0f s left", name, model, done, max, ll,
                        per, per * (max - done)));
            }
        };
    }

    /** The least time between two of EM's progress lines. */
    static final int PROGRESS_SECONDS = 15;

    private static Plsa.Result plsa(Csr w, int k, int iterations, long seed, Plsa.Progress progress) {
        // pLSA drops terms whose total weight is below 1 (the reference's min_count); when that leaves
        // nothing (tiny corpora, l2-normalised TF-IDF weights) every track is uncovered. Checked here
        // because factor's EM does not accept an empty matrix.
        double[] tot = w.colSums();
        boolean any = false;
        for (int j = 0; j < w.nnz() && !any; j++) {
            any = w.values[j] > 0 && tot[w.indices[j]] >= Plsa.Options.defaults().minTermTotal();
        }
        if (!any) {
            return null;
        }
        return Plsa.fit(w, Plsa.Options.defaults().withTopics(k).withIterations(iterations).withSeed(seed), progress);
    }

    // Copy rows of a (ids, K) result into z at the corpus rows of those ids (ids not in the corpus ignored).
    private static void scatter(float[] p, List<String> ids, Map<String, Integer> row, float[] z, int k) {
        for (int i = 0; i < ids.size(); i++) {
            Integer r = row.get(ids.get(i));
            if (r != null) {
                System.arraycopy(p, i * k, z, r * k, k);
            }
        }
    }

    /** The artist source: pLSA with artists as documents and the tag source's tags as terms. */
    private static Fitted artist(Path corpus, Map<String, Object> s, Map<String, Object> sources, int k,
                                 int iterations, long seed, Plsa.Progress progress) throws IOException {
        String from = (String) s.getOrDefault("tags_from", "tag");
        Object tagSrc = sources.get(from);
        if (!(tagSrc instanceof Map)) {
            throw new IOException(corpus.resolve("manifest.json") + ": artist source names tags_from '" + from
                    + "', which is not a source");
        }
        Map<String, Object> tagSpec = spec(corpus, from, tagSrc);
        if (tagSpec.get("file") == null || tagSpec.get("term_column") == null) {
            throw new IOException(corpus.resolve("manifest.json") + ": learning.sources." + from
                    + " (the artist source's tags_from) has no 'file' or 'term_column'");
        }
        SourceTable.Matrix pairs = matrix(corpus, s, 0.0);               // track x artist
        SourceTable.Matrix tags = matrix(corpus, tagSpec, 1.0);          // track x tag
        Map<String, Integer> tagRow = new HashMap<>();
        for (int i = 0; i < tags.rowIds().size(); i++) {
            tagRow.put(tags.rowIds().get(i), i);
        }
        // artist x tag = sum over the artist's tagged tracks of their tag rows (Csr sums duplicates). Two passes, the
        // first counting, into primitive arrays: at the MSD's size (8.6 M tag triplets) a list of boxed pairs held
        // about 60 bytes an entry where these hold 16.
        Csr pa = pairs.matrix();
        Csr tg = tags.matrix();
        int[] trackTagRow = new int[pa.rows];   // the track's row in the tag matrix, -1 untagged
        long count = 0;
        for (int t = 0; t < pa.rows; t++) {
            Integer tr = tagRow.get(pairs.rowIds().get(t));
            trackTagRow[t] = tr == null ? -1 : tr;
            if (tr != null) {
                count += (long) (pa.indptr[t + 1] - pa.indptr[t]) * (tg.indptr[tr + 1] - tg.indptr[tr]);
            }
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the artist source: " + count + " (artist, tag) entries before they are "
                    + "summed, more than one array holds");
        }
        int n = (int) count;
        int[] r = new int[n];
        int[] c = new int[n];
        double[] v = new double[n];
        int x = 0;
        for (int t = 0; t < pa.rows; t++) {
            int tr = trackTagRow[t];
            if (tr < 0) {
                continue;
            }
            for (int j = pa.indptr[t]; j < pa.indptr[t + 1]; j++) {
                for (int q = tg.indptr[tr]; q < tg.indptr[tr + 1]; q++) {
                    r[x] = pa.indices[j];
                    c[x] = tg.indices[q];
                    v[x++] = tg.values[q];
                }
            }
        }
        Csr artistTag = Csr.fromTriplets(pa.cols, tg.cols, r, c, v, n);
        Plsa.Result fit = plsa(artistTag, k, iterations, seed, progress);
        float[] theta = fit == null ? new float[pa.cols * k] : fit.docTopicFloat();     // (artists, K)
        // Broadcast: a track takes its artist's row (the first artist when a track lists several).
        List<String> ids = new ArrayList<>();
        float[] p = new float[pa.rows * k];
        for (int t = 0; t < pa.rows; t++) {
            if (pa.indptr[t] == pa.indptr[t + 1]) {
                continue;
            }
            System.arraycopy(theta, pa.indices[pa.indptr[t]] * k, p, ids.size() * k, k);
            ids.add(pairs.rowIds().get(t));
        }
        return new Fitted(fit, tags.colIds(), p, ids);
    }
}
