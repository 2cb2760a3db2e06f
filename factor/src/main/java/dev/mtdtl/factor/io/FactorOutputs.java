package dev.mtdtl.factor.io;

import dev.mtdtl.factor.Csr;
import dev.mtdtl.factor.Gmm1d;
import dev.mtdtl.factor.Plsa;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The files {@code ./mtdtl factor plsa|gmm|tfidf} write into an output folder: the labels as {@code .npy}
 * (float32, as the networks read them; parameters float64) plus the row ids in the same order, one per
 * line, so that a user who only wants the labels can join them back to tracks. Every file is written
 * atomically. File names:
 * <pre>
 *   plsa:  doc_topic.npy (D,K) f32   topic_term.npy (K,T) f32   loglik.npy (iters+1) f64
 *          row_ids.txt  col_ids.txt  top_terms.tsv (topic, rank, term, p)  dropped_rows.txt  dropped_cols.txt
 *   gmm:   proba.npy (n,K) f32   weights.npy means.npy variances.npy (K) f64   lower_bounds.npy f64   row_ids.txt
 *   tfidf: tfidf.tsv (row, column, value; the triplet format again, so it feeds plsa)  idf.npy (T) f64
 *          row_ids.txt  col_ids.txt
 * </pre>
 */
public final class FactorOutputs {

    private FactorOutputs() {}

    /** Write a pLSA fit; {@code topTerms} most probable terms per topic go to top_terms.tsv. */
    public static void writePlsa(Path dir, Plsa.Result res, List<String> rowIds, List<String> colIds, int topTerms)
            throws IOException {
        check(rowIds.size(), res.docs(), "row ids");
        check(colIds.size(), res.terms(), "column ids");
        Npy.writeFloat(dir.resolve("doc_topic.npy"), res.docTopicFloat(), res.docs(), res.topics());
        double[] tt = res.topicTerm();
        float[] f = new float[tt.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) tt[i];
        }
        Npy.writeFloat(dir.resolve("topic_term.npy"), f, res.topics(), res.terms());
        Npy.writeDouble(dir.resolve("loglik.npy"), res.logLik(), res.logLik().length);
        writeLines(dir.resolve("row_ids.txt"), rowIds);
        writeLines(dir.resolve("col_ids.txt"), colIds);
        StringBuilder sb = new StringBuilder("topic\trank\tterm\tp\n");
        int[][] top = res.topTerms(topTerms);
        for (int z = 0; z < top.length; z++) {
            for (int j = 0; j < top[z].length; j++) {
                int w = top[z][j];
                sb.append(z).append('\t').append(j + 1).append('\t').append(colIds.get(w)).append('\t')
                        .append(res.termTopic()[w * res.topics() + z]).append('\n');
            }
        }
        AtomicFiles.writeString(dir.resolve("top_terms.tsv"), sb.toString());
        writeLines(dir.resolve("dropped_rows.txt"), pick(rowIds, res.droppedDocs()));
        writeLines(dir.resolve("dropped_cols.txt"), pick(colIds, res.droppedTerms()));
    }

    /** Write a GMM fit and the posteriors of the values {@code x} it labels. */
    public static void writeGmm(Path dir, Gmm1d.Fit fit, double[] x, List<String> ids) throws IOException {
        check(ids.size(), x.length, "row ids");
        Gmm1d.Params p = fit.params();
        int k = p.components();
        Npy.writeFloat(dir.resolve("proba.npy"), Gmm1d.predictProbaFloat(p, x), x.length, k);
        Npy.writeDouble(dir.resolve("weights.npy"), p.weights(), k);
        Npy.writeDouble(dir.resolve("means.npy"), p.means(), k);
        Npy.writeDouble(dir.resolve("variances.npy"), p.variances(), k);
        Npy.writeDouble(dir.resolve("lower_bounds.npy"), fit.lowerBounds(), fit.lowerBounds().length);
        writeLines(dir.resolve("row_ids.txt"), ids);
    }

    /** Write a TF-IDF matrix as triplets (full double precision) with its idf. */
    public static void writeTfidf(Path dir, Csr tfidf, double[] idf, List<String> rowIds, List<String> colIds)
            throws IOException {
        check(rowIds.size(), tfidf.rows, "row ids");
        check(colIds.size(), tfidf.cols, "column ids");
        AtomicFiles.write(dir.resolve("tfidf.tsv"), out -> {
            StringBuilder sb = new StringBuilder(1 << 16);
            sb.append("row\tcolumn\tvalue\n");
            for (int d = 0; d < tfidf.rows; d++) {
                for (int j = tfidf.indptr[d]; j < tfidf.indptr[d + 1]; j++) {
                    sb.append(rowIds.get(d)).append('\t').append(colIds.get(tfidf.indices[j])).append('\t')
                            .append(tfidf.values[j]).append('\n');
                    if (sb.length() > 1 << 15) {
                        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                        sb.setLength(0);
                    }
                }
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        });
        Npy.writeDouble(dir.resolve("idf.npy"), idf, idf.length);
        writeLines(dir.resolve("row_ids.txt"), rowIds);
        writeLines(dir.resolve("col_ids.txt"), colIds);
    }

    private static List<String> pick(List<String> ids, int[] idx) {
        String[] s = new String[idx.length];
        for (int i = 0; i < idx.length; i++) {
            s[i] = ids.get(idx[i]);
        }
        return List.of(s);
    }

    private static void writeLines(Path file, List<String> lines) throws IOException {
        AtomicFiles.write(file, out -> {
            StringBuilder sb = new StringBuilder();
            for (String s : lines) {
                sb.append(s).append('\n');
                if (sb.length() > 1 << 15) {
                    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                    sb.setLength(0);
                }
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        });
    }

    private static void check(int got, int want, String what) {
        if (got != want) {
            throw new IllegalArgumentException(what + ": " + got + " given, " + want + " needed");
        }
    }
}
