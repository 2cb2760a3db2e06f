package dev.mtdtl.data.prepare;

import dev.mtdtl.data.Tsv;
import dev.mtdtl.factor.Plsa;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The most probable terms of each topic of a pLSA source, kept by {@code mtdtl prepare} beside the source's
 * targets as {@code learning/targets/<source>.topics.tsv} so that a topic index (the column of z, and of a
 * trained network's fc-out for that source) can be read as words (the paper's Fig. 16). Letters: K topics,
 * T terms.
 * <pre>
 *   topic  rank  term   p_term_given_topic
 *   0      1     rock   0.0912
 *   0      2     indie  0.0431
 *   ...
 * </pre>
 * One row per (topic, rank), rank 1 the most probable; at most {@link #TOP} terms per topic, only terms with
 * P(w|z) &gt; 0 (a topic of a tiny corpus may have fewer). P(w|z) is printed with 6 significant digits. The
 * terms are the source table's term column: tags (tag, cdr_tag, and artist, whose documents are artists and
 * whose terms are the tag source's tags), lyrics words, or listener ids (taste). A source whose matrix was
 * empty after pLSA's minimum term weight (nothing fitted, every track uncovered) gets no file.
 *
 * <p>The file is an addition: the targets (z, mask) and their checksums in prepared.json are the same bytes
 * as before it existed, and a folder without it still reads everywhere (the report then says the terms are
 * not available).
 */
public final class TopicTerms {

    /** Terms kept per topic. */
    public static final int TOP = 20;

    /** One term of a topic. */
    public record Term(String term, double p) {}

    private TopicTerms() {}

    /** The file of {@code source} in the targets folder {@code dir} (PREPARED/learning/targets). */
    public static Path file(Path dir, String source) {
        return dir.resolve(source + ".topics.tsv");
    }

    /** Write the top {@link #TOP} terms of every topic of a fit, atomically; {@code terms} names the T columns. */
    static void write(Path file, Plsa.Result fit, List<String> terms) throws IOException {
        if (terms.size() != fit.terms()) {
            throw new IllegalArgumentException(file + ": " + terms.size() + " term names for " + fit.terms() + " terms");
        }
        double[] tw = fit.termTopic();                       // (T, K), read in place (a (K, T) copy is 8 T K bytes)
        int[][] top = fit.topTerms(Math.min(TOP, fit.terms()));
        List<String[]> rows = new ArrayList<>();
        for (int z = 0; z < fit.topics(); z++) {
            int rank = 1;
            for (int w : top[z]) {
                double p = tw[w * fit.topics() + z];
                if (p > 0) {
                    rows.add(new String[] {Integer.toString(z), Integer.toString(rank++), terms.get(w),
                            String.format(Locale.ROOT, "%.6g", p)});
                }
            }
        }
        Tsv.write(file, new String[] {"topic", "rank", "term", "p_term_given_topic"}, rows);
    }

    /**
     * Read a topics file: element z lists topic z's terms, best first (empty for a topic without terms).
     * {@code topics} is K, the width of the targets; a row outside it, a rank out of order or a probability
     * that is not in (0, 1] is an error naming the file and line.
     */
    public static List<List<Term>> read(Path file, int topics) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such topics file");
        }
        Tsv.Table t = Tsv.read(file);
        int ct = t.column("topic");
        int cr = t.column("rank");
        int cw = t.column("term");
        int cp = t.column("p_term_given_topic");
        List<List<Term>> out = new ArrayList<>();
        for (int z = 0; z < topics; z++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < t.rows().size(); i++) {
            String[] r = t.rows().get(i);
            String where = file + ":" + (i + 2);        // the header is line 1; the writer writes no empty lines
            int z;
            int rank;
            double p;
            try {
                z = Integer.parseInt(r[ct]);
                rank = Integer.parseInt(r[cr]);
                p = Double.parseDouble(r[cp]);
            } catch (NumberFormatException e) {
                throw new IOException(where + ": topic, rank and p_term_given_topic must be numbers", e);
            }
            if (z < 0 || z >= topics) {
                throw new IOException(where + ": topic " + z + " outside 0.." + (topics - 1));
            }
            if (rank != out.get(z).size() + 1) {
                throw new IOException(where + ": rank " + rank + " of topic " + z + ", expected " + (out.get(z).size() + 1));
            }
            if (!(p > 0 && p <= 1)) {
                throw new IOException(where + ": p_term_given_topic " + r[cp] + " is not in (0, 1]");
            }
            out.get(z).add(new Term(r[cw], p));
        }
        return out;
    }
}
