package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.io.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper's two hierarchical models fitted by our REML against statsmodels MixedLM (REML) on the
 * golden fixtures in src/test/resources/lmm (copied from ../shared/fixtures/lmm; the script and seed that
 * made them sit beside them; the CSV holds 10 significant digits, so the standardisation agrees to 1e-8). Tolerances from the fixtures' README: REML log-likelihood 1e-4, fixed
 * effects 1e-4, variance components 1e-3 (absolute); the fixed effects' standard errors also 1e-4.
 */
class LmmFixtureTest {

    static final double TOL_LL = 1e-4;
    static final double TOL_FE = 1e-4;
    static final double TOL_VC = 1e-3;

    static String resource(String path) throws IOException {
        try (InputStream in = LmmFixtureTest.class.getResourceAsStream("/lmm/" + path)) {
            if (in == null) {
                throw new IOException("missing test resource lmm/" + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The fixture's raw scores (run,strategy,n_sources,dataset,value) as study scores. */
    static List<Scores.Score> scores(String kase) throws IOException {
        List<Scores.Score> out = new ArrayList<>();
        String[] lines = resource(kase + "/scores.csv").split("\n");
        assertEquals("run,strategy,n_sources,dataset,value", lines[0].trim());
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] c = lines[i].trim().split(",");
            out.add(new Scores.Score(c[0], c[1], Integer.parseInt(c[2]), List.of(), c[3], Double.parseDouble(c[4]), 1));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static void check(Lmm.Fit fit, Map<String, Object> exp, String what) {
        double ll = ((Number) exp.get("reml_loglik")).doubleValue();
        assertEquals(ll, fit.remlLogLik(), TOL_LL, what + ": REML log-likelihood");
        Map<String, Object> fe = (Map<String, Object>) exp.get("fixed_effects");
        Map<String, Object> se = (Map<String, Object>) exp.get("fixed_effects_se");
        assertEquals(fe.size(), fit.fixedNames().size(), what + ": fixed effects " + fit.fixedNames());
        for (String k : fe.keySet()) {
            assertEquals(((Number) fe.get(k)).doubleValue(), fit.beta(k), TOL_FE, what + ": fixed effect " + k);
            int i = fit.fixedNames().indexOf(k);
            assertEquals(((Number) se.get(k)).doubleValue(), fit.se()[i], TOL_FE, what + ": standard error of " + k);
        }
        Map<String, Object> vc = (Map<String, Object>) exp.get("variance_components");
        assertEquals(vc.size(), fit.vcNames().size(), what + ": components " + fit.vcNames());
        for (String k : vc.keySet()) {
            assertEquals(((Number) vc.get(k)).doubleValue(), fit.vc(k), TOL_VC, what + ": variance component " + k);
        }
        assertEquals(((Number) exp.get("residual_variance")).doubleValue(), fit.residualVariance(), TOL_VC,
                what + ": residual variance");
        assertTrue(fit.converged(), what + ": converged");
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @ValueSource(strings = {"paper_like", "wide"})
    void matchesStatsmodels(String kase) throws IOException {
        Map<String, Object> exp = Json.parseObject(resource(kase + "/expected.json"), kase + "/expected.json");
        Scores sc = new Scores(scores(kase));
        Map<String, Object> st = (Map<String, Object>) exp.get("standardisation");
        for (String d : st.keySet()) {
            Map<String, Object> m = (Map<String, Object>) st.get(d);
            assertEquals(((Number) m.get("mean")).doubleValue(), sc.stats().get(d).mean(), 1e-8, d + " mean");
            assertEquals(((Number) m.get("sd")).doubleValue(), sc.stats().get(d).sd(), 1e-8, d + " sd");
        }
        Models.Built m1 = Models.model1(sc.rows());
        check(Lmm.fit(m1.design(), m1.y()), (Map<String, Object>) exp.get("model1"), kase + " model 1");
        Models.Built m2 = Models.model2(sc.rows());
        check(Lmm.fit(m2.design(), m2.y()), (Map<String, Object>) exp.get("model2"), kase + " model 2");
    }
}
