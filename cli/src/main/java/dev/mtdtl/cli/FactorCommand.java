package dev.mtdtl.cli;

import dev.mtdtl.factor.Csr;
import dev.mtdtl.factor.Gmm1d;
import dev.mtdtl.factor.Plsa;
import dev.mtdtl.factor.TfIdf;
import dev.mtdtl.factor.io.FactorOutputs;
import dev.mtdtl.factor.io.TripletReader;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl factor plsa|gmm|tfidf}: the label models on their own, for users who want the learning
 * targets without the rest of the pipeline. Inputs: a triplet TSV ({@code row<TAB>column<TAB>value},
 * header optional) or a one-column value file ({@code id<TAB>value}); outputs: .npy arrays plus the row
 * ids, written atomically into the output folder.
 */
@Command(name = "factor", mixinStandardHelpOptions = true,
        description = "Label models: pLSA topic mixtures, 1-D GMM posteriors, TF-IDF weighting.",
        subcommands = {FactorCommand.PlsaCmd.class, FactorCommand.GmmCmd.class, FactorCommand.TfidfCmd.class})
final class FactorCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void threads(Integer t) {
        if (t != null) {
            Parallel.setThreads(t);
        }
    }

    @Command(name = "plsa", mixinStandardHelpOptions = true,
            description = {"pLSA by EM on a document x term triplet file: P(topic|document) per row.",
                    "Writes doc_topic.npy (rows x K), topic_term.npy, loglik.npy, row_ids.txt, col_ids.txt, "
                            + "top_terms.tsv, dropped_rows.txt, dropped_cols.txt."})
    static final class PlsaCmd implements Callable<Integer> {
        @Option(names = "--in", required = true, description = "triplet TSV: row, column, count or weight")
        Path in;
        @Option(names = "--out", required = true, description = "output folder")
        Path out;
        @Option(names = "--topics", defaultValue = "50", description = "K (default ${DEFAULT-VALUE})")
        int topics;
        @Option(names = "--iterations", defaultValue = "100", description = "EM iterations (default ${DEFAULT-VALUE})")
        int iterations;
        @Option(names = "--tol", defaultValue = "0", description = "stop when the relative log-likelihood gain is below this (0: never)")
        double tol;
        @Option(names = "--seed", defaultValue = "0", description = "random initialisation seed")
        long seed;
        @Option(names = "--top-terms", defaultValue = "20", description = "terms per topic in top_terms.tsv")
        int topTerms;
        @Option(names = "--threads", description = "CPU threads")
        Integer threads;

        @Override
        public Integer call() throws Exception {
            threads(threads);
            try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFolder(out)) {
                return plsa();
            }
        }

        private int plsa() throws java.io.IOException {
            TripletReader.Labeled m = TripletReader.readCounts(in);
            Plsa.Result r = Plsa.fit(m.matrix(), Plsa.Options.defaults().withTopics(topics).withIterations(iterations)
                    .withTol(tol).withSeed(seed));
            FactorOutputs.writePlsa(out, r, m.rowIds(), m.colIds(), topTerms);
            double[] ll = r.logLik();
            System.out.printf(Locale.ROOT, "pLSA: %d rows x %d columns, K=%d, %d iterations, log-likelihood %.6g; "
                            + "%d rows and %d columns dropped (empty); written to %s%n", r.docs(), r.terms(), r.topics(),
                    r.iterations(), ll.length > 0 ? ll[ll.length - 1] : Double.NaN, r.droppedDocs().length,
                    r.droppedTerms().length, out);
            return 0;
        }
    }

    @Command(name = "gmm", mixinStandardHelpOptions = true,
            description = {"1-D Gaussian mixture by EM on a value file (id<TAB>value per line): posteriors per row.",
                    "Writes the posteriors (rows x K), the parameters and the row ids."})
    static final class GmmCmd implements Callable<Integer> {
        @Option(names = "--in", required = true, description = "value file: id<TAB>value (or one value per line)")
        Path in;
        @Option(names = "--out", required = true, description = "output folder")
        Path out;
        @Option(names = "--components", defaultValue = "50", description = "K (default ${DEFAULT-VALUE})")
        int components;
        @Option(names = "--seed", defaultValue = "0", description = "k-means++ seed")
        long seed;
        @Option(names = "--threads", description = "CPU threads")
        Integer threads;

        @Override
        public Integer call() throws Exception {
            threads(threads);
            try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFolder(out)) {
                return gmm();
            }
        }

        private int gmm() throws java.io.IOException {
            TripletReader.Values v = TripletReader.readValues(in);
            Gmm1d.Fit fit = Gmm1d.fit(v.values(), Gmm1d.Options.defaults().withComponents(components).withSeed(seed));
            FactorOutputs.writeGmm(out, fit, v.values(), v.ids());
            System.out.printf(Locale.ROOT, "GMM: %d values, K=%d, %d iterations (%s), mean log-likelihood %.6g; "
                            + "written to %s%n", v.values().length, components, fit.iterations(),
                    fit.converged() ? "converged" : "not converged", fit.avgLogLik(), out);
            return 0;
        }
    }

    @Command(name = "tfidf", mixinStandardHelpOptions = true,
            description = {"TF-IDF (scikit-learn TfidfTransformer: smooth idf, l2 rows) of a count triplet file.",
                    "Writes a weighted triplet TSV (input to 'factor plsa'), idf.npy and the ids."})
    static final class TfidfCmd implements Callable<Integer> {
        @Option(names = "--in", required = true, description = "triplet TSV of counts")
        Path in;
        @Option(names = "--out", required = true, description = "output folder")
        Path out;
        @Option(names = "--norm", defaultValue = "l2", description = "row normalisation: l2 or none")
        String norm;

        @Override
        public Integer call() throws Exception {
            TfIdf.Norm n = switch (norm.toLowerCase(Locale.ROOT)) {
                case "l2" -> TfIdf.Norm.L2;
                case "none" -> TfIdf.Norm.NONE;
                default -> throw new IllegalArgumentException("--norm must be l2 or none, got " + norm);
            };
            try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFolder(out)) {
                return tfidf(n);
            }
        }

        private int tfidf(TfIdf.Norm n) throws java.io.IOException {
            TripletReader.Labeled m = TripletReader.readCounts(in);
            Csr t = TfIdf.transform(m.matrix(), n);
            FactorOutputs.writeTfidf(out, t, TfIdf.idf(m.matrix()), m.rowIds(), m.colIds());
            System.out.printf(Locale.ROOT, "TF-IDF: %d rows x %d columns, %d entries; written to %s%n", m.rowIds().size(),
                    m.colIds().size(), t.nnz(), out);
            return 0;
        }
    }
}
