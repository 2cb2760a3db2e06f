package dev.mtdtl.study.analysis;

import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.study.design.Designer;
import dev.mtdtl.study.design.Plan;
import dev.mtdtl.study.design.PlanRow;
import dev.mtdtl.study.design.Preset;
import dev.mtdtl.study.design.StudySpec;
import dev.mtdtl.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fig. 7 reads the design.json that {@code mtdtl study design --preset small} writes: the final design's
 * alias matrix (all phases), checked against the Pearson correlations of the plan's main-effect columns
 * computed here from plan.csv; then a report rendered from that study folder draws it.
 */
class DesignInfoTest {

    @TempDir
    Path tmp;

    static StudySpec small(long seed) {
        Preset p = Preset.SMALL;
        return new StudySpec(seed, p.sources, p.strategies(), p.ssrRepeats, p.fullRepeats, p.id, p.schedule);
    }

    @Test
    void readsTheFinalDesignsAliasMatrixAsTheDesignerWritesIt() throws Exception {
        Path st = tmp.resolve("study");
        List<PlanRow> rows = Designer.create(st, small(1), Preset.SMALL.runs);
        assertEquals(33, rows.size());
        String[] why = new String[1];
        DesignInfo d = DesignInfo.read(st.resolve(Designer.DESIGN_FILE), why);
        assertNotNull(d, why[0]);
        assertEquals(33, d.runs());
        // Columns: the strategies used but the last (effects coding's reference), then one per source.
        List<Strategy> levels = List.of(Strategy.values());
        List<String> want = new ArrayList<>();
        levels.subList(0, levels.size() - 1).forEach(s -> want.add("strategy:" + s.id()));
        Preset.SMALL.sources.forEach(s -> want.add(s.id()));
        assertEquals(want, d.labels());
        // The matrix: correlations of the columns over all 33 runs of plan.csv (not phase 3's 20 alone).
        List<PlanRow> plan = Plan.read(st, StudySpec.read(st));
        int k = want.size();
        double[][] x = new double[plan.size()][k];
        for (int r = 0; r < plan.size(); r++) {
            PlanRow p = plan.get(r);
            int last = levels.size() - 1;
            for (int l = 0; l < last; l++) {
                x[r][l] = p.strategy() == levels.get(l) ? 1 : p.strategy() == levels.get(last) ? -1 : 0;
            }
            for (int s = 0; s < Preset.SMALL.sources.size(); s++) {
                x[r][last + s] = p.sources().contains(Preset.SMALL.sources.get(s)) ? 1 : -1;
            }
        }
        double maxBetween = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double c = pearson(x, i, j);
                assertEquals(c, d.matrix()[i][j], 1e-6, d.labels().get(i) + " vs " + d.labels().get(j));
                boolean sameFactor = i < levels.size() - 1 && j < levels.size() - 1 || i == j;
                if (!sameFactor) {
                    maxBetween = Math.max(maxBetween, Math.abs(c));
                }
            }
        }
        assertEquals(maxBetween, d.maxBetween(), 1e-6);
        assertTrue(d.caption().contains("33 runs, all phases"), d.caption());

        // A report from this study folder draws it (a results file with a score per plan run, two tasks).
        List<Evaluation.Row> res = new ArrayList<>();
        Rng rng = new Rng(5);
        for (PlanRow p : plan) {
            String src = String.join("+", p.sources().stream().map(s -> s.id()).toList());
            for (String task : List.of("genre", "dance")) {
                for (int rep = 0; rep < 2; rep++) {
                    res.add(new Evaluation.Row(p.run(), p.strategy().id(), src, task, rep, "accuracy",
                            0.5 + 0.02 * p.sources().size() + 0.05 * rng.nextGaussian()));
                }
            }
        }
        Evaluation.write(st.resolve("results.csv"), res);
        AnalysisJob.run(st, null, StudyAnalysis.Options.defaults().withBootstrap(20), null, null,
                new PrintStream(new ByteArrayOutputStream()));
        String html = Files.readString(st.resolve("report.html"));
        assertTrue(html.contains("strategy:ssr vs cdr_tag: "), "Fig. 7 cells");
        assertTrue(html.contains("33 runs, all phases"), "Fig. 7 caption");
        assertFalse(html.contains("NaN") || html.contains("Infinity"));
    }

    @Test
    void aDesignWithoutTheMatrixSaysWhich() throws Exception {
        Path f = tmp.resolve("design.json");
        Files.writeString(f, "{\"seed\": 1, \"runs\": {\"total\": 0}}");
        String[] why = new String[1];
        assertNull(DesignInfo.read(f, why));
        assertTrue(why[0].contains("all_phases") && why[0].contains(f.toString()), why[0]);
        Files.writeString(f, "{\"all_phases\": {\"alias\": {\"columns\": [\"a\", \"b\"], \"matrix\": [[1, 0], [0]]}}}");
        assertNull(DesignInfo.read(f, why));
        assertTrue(why[0].contains("all_phases.alias.matrix[1]"), why[0]);
    }

    private static double pearson(double[][] x, int a, int b) {
        int n = x.length;
        double ma = 0;
        double mb = 0;
        for (double[] r : x) {
            ma += r[a] / n;
            mb += r[b] / n;
        }
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (double[] r : x) {
            sab += (r[a] - ma) * (r[b] - mb);
            saa += (r[a] - ma) * (r[a] - ma);
            sbb += (r[b] - mb) * (r[b] - mb);
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }
}
