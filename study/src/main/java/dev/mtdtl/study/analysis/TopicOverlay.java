package dev.mtdtl.study.analysis;

import dev.mtdtl.data.prepare.LearningTargets;
import dev.mtdtl.data.prepare.TopicTerms;
import dev.mtdtl.eval.FeatureSet;
import dev.mtdtl.nn.Checkpoint;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fig. 16's words: for each label cluster of the map, the pLSA topics of the run's learning sources that its
 * tracks are most associated with, shown by their most probable terms ({@link TopicTerms}, kept by prepare).
 *
 * <p>"Associated" is read off the run's own trained source heads, as the paper does (the topic a source's
 * fc-out predicts from the track's block of the representation). The target tracks have no P(z|d): they are
 * not in the learning corpus. Letters: D feature width per source block (256), K topics, n mapped tracks.
 * <pre>
 *   m_i     (D)  the mean-over-slices half of track i's vector, the block of source s (MS-SR@FC: the one
 *                shared block)
 *   q_i(z)       = softmax_z(W_s m_i + b_s),   W_s (K, D), b_s (K): the checkpoint's branches.s.fc_out
 *   a_c(z)       = mean of q_i(z) over the tracks i of cluster c;   a(z) the same over all n mapped tracks
 *   topic of (c, s) = argmax_z a_c(z) - a(z), shown when its lift a_c(z) / a(z) >= MIN_LIFT
 * </pre>
 * Since fc-out is affine, W_s m_i + b_s is exactly the mean of the head's logits over the track's slices, so
 * q_i is the softmax of the slice-averaged logits (not the mean of the slices' softmaxes, which the track
 * vector does not keep). The excess over the all-tracks mean picks what distinguishes a cluster rather than
 * the topics every track leans to; its value is the extra probability mass the cluster puts on the topic.
 * A head that barely tells the labels apart (an untrained or briefly trained run: every q_i near uniform)
 * still has an argmax, so a topic is shown only when the label puts at least {@link #MIN_LIFT} times the
 * average probability on it (the default of {@code --tsne-min-lift}); when no label reaches that, the note
 * says so and gives the largest lift.
 *
 * <p>Not drawn (with the reason in {@link #note}): a baseline or a feature folder whose run has no checkpoint,
 * a prepared folder without topic files (prepared before they were kept: re-run prepare on it to add them),
 * a run without pLSA sources. The checkpoint read is the run's newest; features extracted from an older one
 * would be paired with newer heads (a study's runs are extracted after their last checkpoint).
 *
 * @param rows one per (cluster, source) with an associated topic, clusters in label order
 * @param note what was drawn and how, or why nothing was
 */
public record TopicOverlay(List<Row> rows, String note) {

    /** Terms shown per topic. */
    public static final int TERMS = 3;

    /**
     * Smallest lift a_c(z) / a(z) shown: a label's tracks put at least 25% more probability on the topic than
     * the mapped tracks on average. A convention (like a plot's significance threshold), not a derivation: below
     * it the words would label differences of a few thousandths of probability.
     */
    public static final double MIN_LIFT = 1.25;

    /**
     * @param excess a_c(z) - a(z)
     * @param terms  the topic's most probable terms, best first (at most {@link #TERMS})
     */
    public record Row(String cluster, String source, int topic, double share, double excess, double lift,
                      List<String> terms) {}

    /** Nothing to show, and why. */
    static TopicOverlay none(String why) {
        return new TopicOverlay(List.of(), why);
    }

    /** The rows of one cluster. */
    public List<Row> of(String cluster) {
        return rows.stream().filter(r -> r.cluster().equals(cluster)).toList();
    }

    /**
     * @param run      the training run folder (RUN/checkpoints/it-N) or a checkpoint folder
     * @param targets  the prepared folder's learning/targets (the topic files)
     * @param f        the run's features on the dataset
     * @param mapped   row of f of every mapped track (n)
     * @param labels   cluster (label index) of every mapped track (n)
     */
    static TopicOverlay build(Path run, Path targets, FeatureSet f, List<Integer> mapped, int[] labels,
                              List<String> labelNames, double minLift) throws IOException {
        Path ck = Files.isRegularFile(run.resolve("checkpoint.json")) ? run : Checkpoint.latest(run);
        if (ck == null) {
            return none("No topic terms: " + run + " holds no checkpoint (a baseline, or not a training run), so "
                    + "there are no source heads to read the clusters' topics from.");
        }
        Checkpoint.Verified v = Checkpoint.readVerified(ck);
        Path side = ck.resolve("checkpoint.json");
        Map<String, Object> j = v.sidecar();
        Strategy st = Strategy.of(String.valueOf(j.get("strategy")));
        List<Source> sources = Source.parseList(String.valueOf(j.get("sources")));
        int blocks = st == Strategy.MSSRFC ? 1 : sources.size();
        if (f.dims() % (2 * blocks) != 0) {
            return none("No topic terms: the features have " + f.dims() + " dims, not 2 x " + blocks + " blocks of "
                    + "the run in " + side + " (features of another run?).");
        }
        int d = f.dims() / (2 * blocks);
        List<Row> rows = new ArrayList<>();
        List<String> used = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, String> models = models(targets);
        for (int s = 0; s < sources.size(); s++) {
            String id = sources.get(s).id();
            Path tf = TopicTerms.file(targets, id);
            if (!LearningTargets.PLSA_MODELS.contains(models.getOrDefault(id, "")) || !Files.isRegularFile(tf)) {
                if (LearningTargets.PLSA_MODELS.contains(models.getOrDefault(id, ""))) {
                    missing.add(id);
                }
                continue;
            }
            Tensor w = v.model().tensor("branches." + id + ".fc_out.weight");     // (K, D)
            Tensor b = v.model().tensor("branches." + id + ".fc_out.bias");       // (K)
            int k = w.shape()[0];
            if (w.shape()[1] != d) {
                return none("No topic terms: " + side + ": branches." + id + ".fc_out takes " + w.shape()[1]
                        + " features, the track vectors have blocks of " + d + ".");
            }
            List<List<TopicTerms.Term>> topics = TopicTerms.read(tf, k);
            rows.addAll(associate(f, mapped, labels, labelNames, id, (st == Strategy.MSSRFC ? 0 : s) * d, d,
                    w.toCpu().data(), b.toCpu().data(), k, topics));
            used.add(id);
        }
        rows.sort(java.util.Comparator.comparingInt(r -> labelNames.indexOf(r.cluster())));   // stable: sources in order
        if (used.isEmpty()) {
            return none("No topic terms: " + (missing.isEmpty() ? "the run learned from no pLSA source"
                    : "no topic file for " + missing + " in " + targets + " (prepared before prepare kept them: "
                    + "re-run mtdtl prepare on that folder with the same settings to add them; a folder whose "
                    + "settings this version records differently must be prepared anew)") + ".");
        }
        double maxLift = rows.stream().mapToDouble(Row::lift).max().orElse(1);
        rows.removeIf(r -> r.lift() < minLift);
        if (rows.isEmpty()) {
            return none(String.format(Locale.ROOT, "No topic terms: the run's %s head(s) barely tell the labels "
                    + "apart (largest lift of a label's topic over all tracks %.3f, below %.2f; an untrained or "
                    + "briefly trained run predicts nearly the same topics for every track; --tsne-min-lift lowers the bar).",
                    used, maxLift, minLift));
        }
        String note = String.format(Locale.ROOT, "Topic terms of %s (from %s): under each label, per source, the %d "
                + "most probable terms of the topic whose mean predicted probability over the label's tracks most "
                + "exceeds its mean over all mapped tracks, shown when that is at least %.2f times the mean; the "
                + "prediction is the run's own head (softmax of its fc-out on the track's mean representation, i.e. "
                + "of the slice-averaged logits).", used, ck, TERMS, minLift)
                + (missing.isEmpty() ? "" : " No topic file for " + missing + " (prepared before they were kept).");
        return new TopicOverlay(rows, note);
    }

    // Source -> target model, from PREPARED/prepared.json (targets = PREPARED/learning/targets).
    private static Map<String, String> models(Path targets) throws IOException {
        Map<String, String> out = new java.util.HashMap<>();
        Path pj = targets.getParent() == null || targets.getParent().getParent() == null ? null
                : targets.getParent().getParent().resolve("prepared.json");
        if (pj == null || !Files.isRegularFile(pj)) {
            return out;
        }
        Map<String, Object> j = Json.parseObject(TextFiles.read(pj), pj.toString());
        if (j.get("learning") instanceof Map<?, ?> l && l.get("sources") instanceof Map<?, ?> src) {
            src.forEach((k, v) -> {
                if (v instanceof Map<?, ?> e && e.get("model") instanceof String m) {
                    out.put(String.valueOf(k), m);
                }
            });
        }
        return out;
    }

    /**
     * The rows of one source: for each cluster, the topic whose mean head probability over the cluster's
     * tracks most exceeds its mean over all mapped tracks (see the class comment), with its terms.
     *
     * @param off  offset of the source's block in a track vector; d its width
     * @param w    (K, d) fc-out weight; b (K) its bias
     * @param topics element z: topic z's terms, best first
     */
    static List<Row> associate(FeatureSet f, List<Integer> mapped, int[] labels, List<String> labelNames, String source,
                               int off, int d, float[] w, float[] b, int k, List<List<TopicTerms.Term>> topics) {
        double[][] q = heads(f, mapped, off, d, w, b, k);
        double[] all = mean(q, null, -1, k);
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < labelNames.size(); c++) {
            double[] a = mean(q, labels, c, k);
            if (a == null) {
                continue;
            }
            int best = -1;
            for (int z = 0; z < k; z++) {
                if (a[z] - all[z] > 0 && (best < 0 || a[z] - all[z] > a[best] - all[best]) && !topics.get(z).isEmpty()) {
                    best = z;
                }
            }
            if (best >= 0) {
                List<String> terms = topics.get(best).stream().limit(TERMS).map(TopicTerms.Term::term).toList();
                rows.add(new Row(labelNames.get(c), source, best, a[best], a[best] - all[best], a[best] / all[best],
                        terms));
            }
        }
        return rows;
    }

    // q (n, K): softmax of the head at every mapped track's mean block; double throughout.
    private static double[][] heads(FeatureSet f, List<Integer> mapped, int off, int d, float[] w, float[] b, int k) {
        double[][] q = new double[mapped.size()][k];
        for (int i = 0; i < mapped.size(); i++) {
            int base = mapped.get(i) * f.dims() + off;          // the means come first in [mean || std]
            double mx = Double.NEGATIVE_INFINITY;
            for (int z = 0; z < k; z++) {
                double s = b[z];
                for (int j = 0; j < d; j++) {
                    s += (double) w[z * d + j] * f.x()[base + j];
                }
                q[i][z] = s;
                mx = Math.max(mx, s);
            }
            double sum = 0;
            for (int z = 0; z < k; z++) {
                q[i][z] = StrictMath.exp(q[i][z] - mx);
                sum += q[i][z];
            }
            for (int z = 0; z < k; z++) {
                q[i][z] /= sum;
            }
        }
        return q;
    }

    // Mean of the rows whose label is c (all rows when labels is null); null when there are none.
    private static double[] mean(double[][] q, int[] labels, int c, int k) {
        double[] m = new double[k];
        int n = 0;
        for (int i = 0; i < q.length; i++) {
            if (labels == null || labels[i] == c) {
                for (int z = 0; z < k; z++) {
                    m[z] += q[i][z];
                }
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        for (int z = 0; z < k; z++) {
            m[z] /= n;
        }
        return m;
    }
}
