package dev.mtdtl.factor;

import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The conformance-runner entry: every output of the four cases within the manifest's tolerance. */
class FactorFixturesTest {

    private static Map<String, Path> in(String... kv) {
        java.util.Map<String, Path> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], Fixtures.dir().resolve(kv[i + 1]));
        }
        return m;
    }

    private static void check(Map<String, double[]> out, String dir, Map<String, Double> tol) {
        for (Map.Entry<String, Double> e : tol.entrySet()) {
            Close.assertRelL2(Fixtures.f64(dir + "/" + e.getKey() + "_f64.npy"), out.get(e.getKey()), e.getValue(), e.getKey());
        }
    }

    @Test
    void allFourCasesPass() throws IOException {
        check(FactorFixtures.compute("gmm1d_fit", in("data", "gmm1d_fit/data.npy", "query", "gmm1d_fit/query.npy"),
                Map.of("true_weights", List.of(0.5, 0.3, 0.2))), "gmm1d_fit",
                Map.of("weights", 1e-2, "means", 1e-2, "variances", 1e-2, "avg_loglik", 1e-5, "responsibilities", 1e-3,
                        "weights_converged", 1e-5, "means_converged", 1e-5, "variances_converged", 1e-5,
                        "avg_loglik_converged", 1e-6));
        check(FactorFixtures.compute("gmm1d_eval", in("data", "gmm1d_fit/data.npy", "query", "gmm1d_fit/query.npy",
                "weights", "gmm1d_eval/weights.npy", "means", "gmm1d_eval/means.npy", "variances",
                "gmm1d_eval/variances.npy"), Map.of()), "gmm1d_eval",
                Map.of("avg_loglik", 1e-10, "log_density_data", 1e-10, "responsibilities", 1e-9));
        check(FactorFixtures.compute("tfidf", in("counts", "tfidf/counts.npy"), Map.of()), "tfidf",
                Map.of("idf", 1e-5, "tfidf_l2", 1e-5, "tfidf_norm_none", 1e-5));
        check(FactorFixtures.compute("metrics_ndcg", in("scores", "metrics_ndcg/scores.npy", "relevance",
                "metrics_ndcg/relevance.npy"), Map.of("ks", List.of(10, 500))), "metrics_ndcg",
                Map.of("ndcg_at_10", 1e-6, "ndcg_mean_at_10", 1e-6, "ndcg_at_500", 1e-6, "ndcg_mean_at_500", 1e-6));
    }
}
