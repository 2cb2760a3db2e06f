package dev.mtdtl.factor;

import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's answers to the golden fixture cases {@code gmm1d_fit}, {@code gmm1d_eval}, {@code tfidf},
 * {@code metrics_ndcg}, {@code plsa_em_step} and {@code wmf_als_sweep_reference} / {@code _paper}, for the
 * conformance runner: {@link #compute} reads a case's inputs and
 * returns every output named in the manifest, in the manifest's shape (flattened row-major), as doubles.
 * The runner compares them with the {@code _f64} references under the manifest's tolerances.
 *
 * <p>Settings are the fixtures' own: gmm1d_fit is sklearn's {@code GaussianMixture(n_components=3,
 * tol=1e-6, max_iter=500)} (components from {@code true_weights} when given), and its *_converged outputs
 * the same EM run to tol 1e-13 (at most 100,000 iterations); parameters and responsibilities are in
 * ascending order of mean. metrics_ndcg uses the truncated IDCG (sklearn's, the fixture's); the
 * paper-era untruncated variant is {@link Ndcg.Idcg#UNTRUNCATED_PAPER_ERA}.
 *
 * <p>The step cases start from GIVEN parameters: plsa_em_step is one {@link Plsa#fitFrom} iteration (the
 * empty document is dropped, so its theta row is zero; loglik0 is L of the given start), and the WMF
 * cases are one {@link Wmf.Model#epoch} (U, then V with the new U and the old W, then W) from
 * {@link Wmf#fromFactors} on the fixture's already-standardised features, with the case's alpha, lambdas
 * and variant.
 */
public final class FactorFixtures {

    private FactorFixtures() {}

    /** The case names this class answers. */
    public static final List<String> CASES = List.of("gmm1d_fit", "gmm1d_eval", "tfidf", "metrics_ndcg", "plsa_em_step",
            "wmf_als_sweep_reference", "wmf_als_sweep_paper");

    /**
     * Outputs of fixture case {@code name}, keyed by the manifest's output names.
     *
     * @param inputs the case's input files by input name (resolved paths)
     * @param params the case's parameters (numbers as {@link Number}, lists as {@link List})
     */
    public static Map<String, double[]> compute(String name, Map<String, Path> inputs, Map<String, Object> params)
            throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        switch (name) {
            case "gmm1d_fit" -> {
                double[] x = read(inputs, "data", name).values();
                double[] q = read(inputs, "query", name).values();
                int k = params.get("true_weights") instanceof List<?> l ? l.size() : 3;
                Gmm1d.Options o = Gmm1d.Options.defaults().withComponents(k).withTol(1e-6).withMaxIter(500);
                Gmm1d.Fit f = Gmm1d.fit(x, o);
                Gmm1d.Params p = f.params().sortedByMean();
                out.put("weights", p.weights());
                out.put("means", p.means());
                out.put("variances", p.variances());
                out.put("avg_loglik", new double[] {f.avgLogLik()});
                double[] r = new double[q.length * k];
                Gmm1d.predictProba(r, p, q);
                out.put("responsibilities", r);
                Gmm1d.Fit c = Gmm1d.fit(x, o.withTol(1e-13).withMaxIter(100_000));
                Gmm1d.Params pc = c.params().sortedByMean();
                out.put("weights_converged", pc.weights());
                out.put("means_converged", pc.means());
                out.put("variances_converged", pc.variances());
                out.put("avg_loglik_converged", new double[] {c.avgLogLik()});
            }
            case "gmm1d_eval" -> {
                double[] x = read(inputs, "data", name).values();
                double[] q = read(inputs, "query", name).values();
                Gmm1d.Params p = new Gmm1d.Params(read(inputs, "weights", name).values(),
                        read(inputs, "means", name).values(), read(inputs, "variances", name).values());
                out.put("avg_loglik", new double[] {Gmm1d.averageLogLik(p, x)});
                double[] ld = new double[x.length];
                Gmm1d.logDensity(ld, p, x);
                out.put("log_density_data", ld);
                double[] r = new double[q.length * p.components()];
                Gmm1d.predictProba(r, p, q);
                out.put("responsibilities", r);
            }
            case "tfidf" -> {
                Npy.Array a = read(inputs, "counts", name);
                Csr c = Csr.fromDense(a.values(), a.shape()[0], a.shape()[1]);
                out.put("idf", TfIdf.idf(c));
                out.put("tfidf_l2", TfIdf.transform(c, TfIdf.Norm.L2).toDense());
                out.put("tfidf_norm_none", TfIdf.transform(c, TfIdf.Norm.NONE).toDense());
            }
            case "metrics_ndcg" -> {
                Npy.Array s = read(inputs, "scores", name);
                double[] rel = read(inputs, "relevance", name).values();
                int users = s.shape()[0];
                int items = s.shape()[1];
                List<?> ks = params.get("ks") instanceof List<?> l ? l : List.of(10, 500);
                for (Object ko : ks) {
                    int k = ((Number) ko).intValue();
                    double[] per = new double[users];
                    for (int u = 0; u < users; u++) {
                        double[] sc = new double[items];
                        boolean[] r = new boolean[items];
                        for (int i = 0; i < items; i++) {
                            sc[i] = s.values()[u * items + i];
                            r[i] = rel[u * items + i] != 0;
                        }
                        per[u] = Ndcg.atK(sc, r, k, Ndcg.Idcg.TRUNCATED);
                    }
                    out.put("ndcg_at_" + k, per);
                    out.put("ndcg_mean_at_" + k, new double[] {Ndcg.meanOverUsers(per)});
                }
            }
            case "plsa_em_step" -> {
                Npy.Array theta0 = read(inputs, "theta0", name);
                Npy.Array phi0 = read(inputs, "phi0", name);
                int docs = theta0.shape()[0];
                int k = theta0.shape()[1];
                int terms = phi0.shape()[1];
                int[] doc = read(inputs, "doc", name).toInt();
                int[] term = read(inputs, "term", name).toInt();
                double[] count = read(inputs, "count", name).values();
                Csr c = Csr.fromTriplets(docs, terms, doc, term, count, count.length);
                // min term total 0: only terms without any weight are dropped (none carry stored entries).
                Plsa.Result r = Plsa.fitFrom(c, theta0.values(), phi0.values(),
                        Plsa.Options.defaults().withTopics(k).withIterations(1).withMinTermTotal(0));
                out.put("theta1", r.docTopic());
                out.put("phi1", r.topicTerm());
                out.put("loglik0", new double[] {r.logLik()[0]});
            }
            case "wmf_als_sweep_reference", "wmf_als_sweep_paper" -> {
                Npy.Array plays = read(inputs, "plays", name);
                Npy.Array x = read(inputs, "features", name);
                Npy.Array u0 = read(inputs, "u0", name);
                int users = plays.shape()[0];
                int items = plays.shape()[1];
                int d = x.shape()[1];
                int rank = u0.shape()[1];
                Wmf.Variant variant = switch (String.valueOf(params.get("variant"))) {
                    case "reference" -> Wmf.Variant.REFERENCE_CODE;
                    case "paper" -> Wmf.Variant.PAPER_CONSISTENT;
                    default -> throw new IllegalArgumentException("fixture case " + name + ": unknown variant '"
                            + params.get("variant") + "'");
                };
                Wmf.Options o = Wmf.Options.defaults().withRank(rank).withVariant(variant)
                        .withAlpha(number(params, "alpha", name))
                        .withLambdas(number(params, "lambda_U", name), number(params, "lambda_V", name),
                                number(params, "lambda_W", name));
                Wmf.Model m = Wmf.fromFactors(Csr.fromDense(plays.values(), users, items), x.values(), d,
                        u0.values(), read(inputs, "v0", name).values(), read(inputs, "w0", name).values(), o);
                m.epoch();
                out.put("u1", m.u);
                out.put("v1", m.v);
                out.put("w1", m.w);
            }
            default -> throw new IllegalArgumentException("not a factor fixture case: " + name);
        }
        return out;
    }

    private static double number(Map<String, Object> params, String key, String name) {
        if (!(params.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("fixture case " + name + ": parameter '" + key + "' missing or not a number");
        }
        return n.doubleValue();
    }

    private static Npy.Array read(Map<String, Path> inputs, String input, String name) throws IOException {
        Path p = inputs.get(input);
        if (p == null) {
            throw new IllegalArgumentException("fixture case " + name + ": input '" + input + "' missing");
        }
        return Npy.read(p);
    }
}
