package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analysis on synthetic studies with planted effects (issue 13, item 4), and on bad input: what
 * cannot be estimated is said, the rest is reported, and nothing is NaN (the JSON writer refuses NaN).
 */
class StudyAnalysisTest {

    static final List<String> SOURCES = List.of("self", "year", "bpm", "taste", "tag", "lyrics", "cdr_tag", "artist");
    static final double SLOPE = 0.25;            // planted: each extra source adds 0.25 (in units of the noise sd)

    /**
     * A study: every SS-R source twice, then multi-source runs of random strategy and random sources.
     * Score on task d: mean_d + sd_d * (b0[strategy] + SLOPE * n* + dance bonus + noise), where the dance
     * task gives +1.5 to runs that learned bpm (a tempo-defined task).
     */
    static List<Scores.Score> planted(long seed, int msRuns) {
        Rng rng = new Rng(seed);
        double[] b0 = {-1.0, -0.4, 0.0, 0.1, 0.2, 0.25};
        String[] tasks = {"genre", "dance", "instrument", "emotion/arousal", "recsys"};
        double[] u = new double[6 * tasks.length];
        for (int i = 0; i < u.length; i++) {
            u[i] = 0.15 * rng.nextGaussian();
        }
        List<Scores.Score> out = new ArrayList<>();
        List<Object[]> runs = new ArrayList<>();
        for (int rep = 0; rep < 2; rep++) {
            for (String s : SOURCES) {
                runs.add(new Object[]{"ssr", List.of(s)});
            }
        }
        for (int r = 0; r < msRuns; r++) {
            String st = Scores.STRATEGIES.get(1 + rng.nextInt(5));
            int n = 2 + rng.nextInt(7);
            List<String> pool = new ArrayList<>(SOURCES);
            List<String> src = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                src.add(pool.remove(rng.nextInt(pool.size())));
            }
            runs.add(new Object[]{st, src});
        }
        for (int r = 0; r < runs.size(); r++) {
            String st = (String) runs.get(r)[0];
            @SuppressWarnings("unchecked") List<String> src = (List<String>) runs.get(r)[1];
            int si = Scores.STRATEGIES.indexOf(st);
            double nstar = st.equals("ssr") ? 0 : src.size() - 2;
            for (int t = 0; t < tasks.length; t++) {
                double z = b0[si] + u[si * tasks.length + t] + SLOPE * nstar + 0.5 * rng.nextGaussian();
                if (tasks[t].equals("dance") && src.contains("bpm")) {
                    z += 1.5;
                }
                out.add(new Scores.Score("r" + r, st, src.size(), src, tasks[t], 0.4 + 0.1 * t + 0.05 * z, 5));
            }
        }
        return out;
    }

    @Test
    void recoversPlantedEffects() {
        Scores sc = new Scores(planted(7, 150));
        StudyAnalysis.Result r = StudyAnalysis.run(sc, StudyAnalysis.Options.defaults().withBootstrap(60).withSeed(3));
        assertNull(r.model1().error());
        assertNull(r.model2().error());
        // The planted slope on the standardised scale: SLOPE * 0.05 / sd_d on task d, plus on dance the
        // part of the bpm bonus that comes with more sources (P(bpm in a run of n sources) = n / 8, so
        // 1.5 / 8 per source); model 1's fixed slope is their mean over tasks.
        double plantedStar = sc.stats().values().stream().mapToDouble(t -> (SLOPE + (t.task().equals("dance")
                ? 1.5 / 8 : 0)) * 0.05 / t.sd()).average().orElseThrow();
        StudyAnalysis.Finding more = r.findings().get(1);
        assertEquals("more_sources", more.id());
        assertTrue(more.lo() <= plantedStar && plantedStar <= more.hi(),
                "planted slope " + plantedStar + " within " + more.lo() + ".." + more.hi());
        assertEquals("supported", more.verdict());
        StudyAnalysis.Finding multi = r.findings().get(0);
        assertEquals("supported", multi.verdict(), multi.text());
        // The tempo task: bpm planted as the only source that matters on dance.
        StudyAnalysis.Finding tempo = r.findings().get(3);
        assertNotNull(tempo.estimate(), tempo.text());
        assertTrue(tempo.estimate() > 50, tempo.text());
        assertTrue(tempo.verdict().startsWith("supported") || tempo.verdict().startsWith("consistent"), tempo.verdict());
        // Pairwise: SS-R is planted 0.6 below MS-SR@FC (in noise units), far outside the noise.
        StudyAnalysis.Comparison c = r.pairwise().stream().filter(x -> x.a().equals("mssrfc") && x.b().equals("ssr"))
                .findFirst().orElseThrow();
        assertTrue(c.difference().lo() > 0 && c.pHolm() < 0.05, c.toString());
        // Everything serialises (no NaN anywhere).
        assertFalse(Json.write(AnalysisWriter.toJson(r, null), 0).isEmpty());
        // the bootstrap's fields in one order on every run (they were a Map.of, whose order is salted per JVM)
        assertTrue(Json.write(AnalysisWriter.toJson(r, null), 0).contains("\"bootstrap\":{\"replicates\":"),
                "bootstrap fields in order");
        // Fig. 13: bpm is the best SS-R source on dance.
        assertEquals("bpm", r.sources().fig13().stream().filter(f -> f.task().equals("dance")).findFirst()
                .orElseThrow().bestSource());
    }

    @Test
    void sameSeedSameIntervals() {
        Scores sc = new Scores(planted(11, 60));
        StudyAnalysis.Options o = StudyAnalysis.Options.defaults().withBootstrap(30).withSeed(5);
        StudyAnalysis.Result a = StudyAnalysis.run(sc, o);
        StudyAnalysis.Result b = StudyAnalysis.run(sc, o);
        assertEquals(Json.write(AnalysisWriter.toJson(a, null), 0), Json.write(AnalysisWriter.toJson(b, null), 0));
    }

    @Test
    void singleStrategySaysWhatCannotBeEstimated() throws Exception {
        List<Scores.Score> only = planted(3, 0);     // SS-R runs only
        StudyAnalysis.Result r = StudyAnalysis.run(new Scores(only), StudyAnalysis.Options.defaults().withBootstrap(0));
        assertNull(r.model1().error(), r.model1().error());
        assertTrue(r.model1().notes().stream().anyMatch(n -> n.contains("mssrfc") && n.contains("no runs")));
        assertTrue(r.model2().notes().stream().anyMatch(n -> n.contains("one strategy only")));
        assertEquals("cannot say", r.findings().get(0).verdict());
        assertEquals("cannot say", r.findings().get(1).verdict());
        assertEquals("cannot say", r.findings().get(2).verdict());
        assertFalse(Json.write(AnalysisWriter.toJson(r, null), 0).contains("NaN"));
        assertNoNaNInTheReport(r);
    }

    @Test
    void zeroVarianceTaskAndMissingTasksAreReported() throws Exception {
        List<Scores.Score> s = new ArrayList<>(planted(5, 40));
        // A task on which every run scores the same, and a run that lacks some tasks.
        List<Scores.Score> flat = new ArrayList<>();
        for (Scores.Score x : s) {
            if (x.task().equals("genre")) {
                flat.add(new Scores.Score(x.run(), x.strategy(), x.nSources(), x.sources(), "flat", 0.5, 5));
            }
        }
        s.addAll(flat);
        s.removeIf(x -> x.run().equals("r20") && !x.task().equals("genre"));
        Scores sc = new Scores(s);
        assertTrue(sc.notes().stream().anyMatch(n -> n.contains("flat") && n.contains("zero variance")));
        assertFalse(sc.tasks().contains("flat"));
        StudyAnalysis.Result r = StudyAnalysis.run(sc, StudyAnalysis.Options.defaults().withBootstrap(0));
        assertNull(r.model1().error());
        assertFalse(Json.write(AnalysisWriter.toJson(r, null), 0).isEmpty());
        String report = assertNoNaNInTheReport(r);
        assertTrue(report.contains("flat") && report.contains("zero variance"), "the page says why flat is left out");
    }

    @Test
    void fewerRunsThanParameters() throws Exception {
        List<Scores.Score> s = new ArrayList<>();
        s.add(new Scores.Score("a", "ssr", 1, List.of("tag"), "genre", 0.3, 1));
        s.add(new Scores.Score("b", "msscr", 3, List.of("tag", "bpm", "self"), "genre", 0.5, 1));
        s.add(new Scores.Score("c", "mscr2", 2, List.of("tag", "bpm"), "genre", 0.4, 1));
        StudyAnalysis.Result r = StudyAnalysis.run(new Scores(s), StudyAnalysis.Options.defaults().withBootstrap(10));
        assertNotNull(r.model1().error());
        assertTrue(r.model1().error().contains("rows for"), r.model1().error());
        assertEquals("cannot say", r.findings().get(0).verdict());
        assertFalse(Json.write(AnalysisWriter.toJson(r, null), 0).isEmpty());
        String report = assertNoNaNInTheReport(r);
        assertTrue(report.contains("rows for"), "the page says why model 1 was not fitted");
    }

    /**
     * The first two phases of a design only (SS-R runs, then every strategy with all four sources): no strategy
     * has two numbers of sources, so no slope and no r*:n* term is estimable; the models still fit without them,
     * finding 1 is estimated and says its intercepts are at n = 4, finding 2 cannot say (issue 13, bad input).
     */
    @Test
    void phasesOneAndTwoOnlyFitWithoutTheSlopes() throws Exception {
        List<Scores.Score> s = new ArrayList<>();
        Rng rng = new Rng(3);
        List<String> four = List.of("bpm", "taste", "tag", "cdr_tag");
        for (String task : List.of("genre", "dance", "instrument")) {
            for (int k = 0; k < 8; k++) {
                s.add(new Scores.Score("s" + k, "ssr", 1, List.of(four.get(k % 4)), task, 0.3 + 0.05 * rng.nextGaussian(), 1));
            }
            String[] st = {"msscr", "mscr2", "mscr4", "mscr6", "mssrfc"};
            for (int k = 0; k < st.length; k++) {
                s.add(new Scores.Score("m" + k, st[k], 4, four, task, 0.5 + 0.05 * rng.nextGaussian(), 1));
            }
        }
        StudyAnalysis.Result r = StudyAnalysis.run(new Scores(s), StudyAnalysis.Options.defaults().withBootstrap(20));
        assertNull(r.model1().error(), r.model1().error());
        assertNull(r.model2().error(), r.model2().error());
        StudyAnalysis.Finding multi = r.findings().get(0);
        assertNotNull(multi.estimate(), multi.text());
        assertTrue(multi.estimate() > 0, multi.text());
        assertTrue(multi.text().contains("at that n"), multi.text());
        assertEquals("cannot say", r.findings().get(1).verdict());
        String report = assertNoNaNInTheReport(r);
        assertTrue(report.contains("n = 4"), "the page says where the intercepts are");
    }

    /**
     * Missing datasets: a results file with the classification tasks only (no tempo task, no regression or
     * recommendation), and one where a run lacks a whole dataset: the tempo finding says which task it needs,
     * the rest is estimated.
     */
    @Test
    void missingDatasetsAreSaidAndTheRestIsReported() throws Exception {
        List<Scores.Score> s = new ArrayList<>(planted(9, 60));
        s.removeIf(x -> !x.task().equals("genre") && !x.task().equals("instrument"));
        s.removeIf(x -> x.run().equals("r30") && x.task().equals("instrument"));
        StudyAnalysis.Result r = StudyAnalysis.run(new Scores(s), StudyAnalysis.Options.defaults().withBootstrap(0));
        assertNull(r.model1().error(), r.model1().error());
        assertNotNull(r.findings().get(1).estimate(), "more sources: estimated from the tasks there are");
        StudyAnalysis.Finding tempo = r.findings().get(3);
        assertEquals("cannot say", tempo.verdict(), tempo.text());
        assertTrue(tempo.text().contains("dance") || tempo.text().contains("tempo"), tempo.text());
        assertNoNaNInTheReport(r);
    }

    /**
     * Every output the analysis writes (analysis.json, the tidy CSVs, the HTML page, the text summary) is free
     * of NaN and infinities; returns the page.
     */
    static String assertNoNaNInTheReport(StudyAnalysis.Result r) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("analysis-nan");
        try {
            AnalysisWriter.write(r, dir.resolve("analysis.json"), dir.resolve("csv"), null);
            String html = StudyReport.html("t", r, null, null, java.util.Map.of(), List.of());
            StringBuilder all = new StringBuilder(html).append(StudyReport.summary(r))
                    .append(java.nio.file.Files.readString(dir.resolve("analysis.json")));
            try (var files = java.nio.file.Files.list(dir.resolve("csv"))) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    all.append(java.nio.file.Files.readString(f));
                }
            }
            for (String bad : List.of("NaN", "Infinity")) {
                int at = all.indexOf(bad);
                assertTrue(at < 0, bad + " in the outputs: ..." + all.substring(Math.max(0, at - 200),
                        Math.min(all.length(), at + 50)));
            }
            return html;
        } finally {
            try (var w = java.nio.file.Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void normalDistributionAgainstKnownValues() {
        // Python's math.erfc; relative 1e-12 (the series loses about 3 digits to cancellation near 2.5).
        assertEquals(0.15729920705028513, Inference.erfc(1), 1e-12 * 0.157);
        assertEquals(0.004677734981047265, Inference.erfc(2), 1e-12 * 0.0047);
        assertEquals(1.5374597944280351e-12, Inference.erfc(5), 1e-12 * 1.5e-12);
        assertEquals(0.9750021048517795, Inference.phi(1.96), 1e-14);
        assertEquals(0.05, Inference.pTwoSided(Inference.Z975), 1e-13);
        assertEquals(1.999999999510829, Inference.erfc(-4.4), 1e-15);
        assertEquals(0.0006885138966450789, Inference.erfc(2.4), 1e-12 * 6.9e-4);
        assertEquals(0.00023603441652934908, Inference.erfc(2.6), 1e-12 * 2.4e-4);
    }

    @Test
    void holmAdjustment() {
        double[] h = Inference.holm(new double[]{0.01, 0.04, 0.03});
        assertEquals(0.03, h[0], 1e-15);
        assertEquals(0.06, h[1], 1e-15);
        assertEquals(0.06, h[2], 1e-15);
    }
}
