package dev.mtdtl.cli;

import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.eval.FeatureSet;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mtdtl study analyze} on a small synthetic study folder: every output written, every figure drawn, no NaN. */
class StudyAnalyzeCommandTest {

    @TempDir
    Path tmp;

    static final String[] STRATS = {"ssr", "mssrfc", "mscr6", "mscr4", "mscr2", "msscr"};
    static final String[] SOURCES = {"self", "year", "bpm", "taste", "tag", "lyrics", "cdr_tag", "artist"};

    /** Tidy results of a study: 8 SS-R runs and 40 multi-source runs on genre, dance and emotion (two metrics). */
    static List<Evaluation.Row> results(long seed, boolean oneStrategy) {
        Rng r = new Rng(seed);
        List<Evaluation.Row> rows = new ArrayList<>();
        for (int run = 0; run < 48; run++) {
            String st = run < 8 ? "ssr" : STRATS[1 + r.nextInt(5)];
            if (oneStrategy) {
                st = "ssr";
            }
            List<String> src = new ArrayList<>();
            if (st.equals("ssr")) {
                src.add(SOURCES[run % 8]);
            } else {
                List<String> pool = new ArrayList<>(List.of(SOURCES));
                int n = 2 + r.nextInt(7);
                for (int k = 0; k < n; k++) {
                    src.add(pool.remove(r.nextInt(pool.size())));
                }
            }
            double z = 0.2 * java.util.Arrays.asList(STRATS).indexOf(st) + (st.equals("ssr") ? 0 : 0.05 * (src.size() - 2));
            for (int rep = 0; rep < 3; rep++) {
                String name = "run" + run;
                String s = String.join("+", src);
                rows.add(new Evaluation.Row(name, st, s, "genre", rep, "accuracy", 0.4 + 0.1 * z + 0.03 * r.nextGaussian()));
                rows.add(new Evaluation.Row(name, st, s, "dance", rep, "accuracy",
                        0.3 + (src.contains("bpm") ? 0.2 : 0) + 0.05 * z + 0.03 * r.nextGaussian()));
                rows.add(new Evaluation.Row(name, st, s, "emotion", rep, "r2_arousal", 0.2 + 0.1 * z + 0.05 * r.nextGaussian()));
                rows.add(new Evaluation.Row(name, st, s, "emotion", rep, "r2_valence", 0.1 + 0.05 * r.nextGaussian()));
            }
        }
        for (String b : new String[]{"rand", "mfcc"}) {
            for (int rep = 0; rep < 3; rep++) {
                rows.add(new Evaluation.Row(b, b, "", "genre", rep, "accuracy", 0.3));
                rows.add(new Evaluation.Row(b, b, "", "dance", rep, "accuracy", 0.35));
            }
        }
        return rows;
    }

    @Test
    void analysesAStudyFolder() throws Exception {
        Path study = tmp.resolve("study");
        // design.json as 'mtdtl study design' writes it (Fig. 7 draws its all_phases.alias).
        dev.mtdtl.study.design.Preset small = dev.mtdtl.study.design.Preset.SMALL;
        dev.mtdtl.study.design.Designer.create(study, new dev.mtdtl.study.design.StudySpec(1, small.sources,
                small.strategies(), small.ssrRepeats, small.fullRepeats, small.id, small.schedule), 4);
        Evaluation.write(study.resolve("results.csv"), results(1, false));
        // A feature folder and labels for Fig. 16.
        Rng r = new Rng(3);
        List<String> ids = new ArrayList<>();
        float[] x = new float[24 * 6];
        StringBuilder labels = new StringBuilder("track_id\tgenre\n");
        for (int i = 0; i < 24; i++) {
            ids.add("t" + i);
            labels.append("t").append(i).append('\t').append(i % 3 == 0 ? "rock" : i % 3 == 1 ? "jazz" : "pop").append('\n');
            for (int k = 0; k < 6; k++) {
                x[i * 6 + k] = (float) ((k == i % 3 ? 5 : 0) + r.nextGaussian());
            }
        }
        new FeatureSet("run9", "mscr2", "tag+bpm", "genre", ids, x, 6).write(tmp.resolve("feats"));
        Files.createDirectories(tmp.resolve("ds"));
        Files.writeString(tmp.resolve("ds/labels.tsv"), labels.toString());
        assertEquals(0, Main.run("analyze", study.toString(), "--bootstrap", "25", "--seed", "2",
                "--tsne-features", tmp.resolve("feats").toString(), "--tsne-dataset", tmp.resolve("ds").toString()));
        Map<String, Object> j = Json.parseObject(Files.readString(study.resolve("analysis.json")), "analysis.json");
        assertTrue(j.containsKey("model1") && j.containsKey("findings") && j.containsKey("table6"));
        for (String f : new String[]{"scores", "fixed_effects", "variance_components", "pairwise", "table6", "fig13",
                "fig14", "findings"}) {
            assertTrue(Files.readString(study.resolve("analysis/" + f + ".csv")).lines().count() > 1, f);
        }
        String html = Files.readString(study.resolve("report.html"));
        for (String fig : new String[]{"Fig. 7", "Fig. 9", "Fig. 10", "Fig. 11", "Fig. 12", "Fig. 13", "Fig. 14",
                "Table 6", "Fig. 16", "emotion/arousal"}) {
            assertTrue(html.contains(fig), fig);
        }
        assertTrue(html.contains("|alias|") && html.contains("strategy:ssr vs bpm: "), "the alias heatmap is drawn");
        assertTrue(html.contains("The final design (17 runs, all phases)"), "its caption");
        assertTrue(html.contains("t-SNE of run9"), "the t-SNE map is drawn");
        assertFalse(html.contains("NaN"));
        assertFalse(Files.readString(study.resolve("analysis.json")).contains("NaN"));
        // Seeded: the same command gives the same analysis.
        byte[] before = Files.readAllBytes(study.resolve("analysis.json"));
        assertEquals(0, Main.run("analyze", study.toString(), "--bootstrap", "25", "--seed", "2", "--threads", "1",
                "--tsne-features", tmp.resolve("feats").toString(), "--tsne-dataset", tmp.resolve("ds").toString()));
        assertEquals(new String(before), Files.readString(study.resolve("analysis.json")));
    }

    @Test
    void oneStrategySaysWhatCannotBeEstimated() throws Exception {
        Path csv = tmp.resolve("r/results.csv");
        Evaluation.write(csv, results(2, true));
        assertEquals(0, Main.run("analyze", csv.toString(), "--bootstrap", "0"));
        String html = Files.readString(tmp.resolve("r/study-report.html"));
        assertTrue(html.contains("one strategy only"), "model 2 says why r* is not estimated");
        assertTrue(html.contains("cannot say"));
        assertFalse(html.contains("NaN"));
        // The same page through 'mtdtl report --study', elsewhere.
        Path page = tmp.resolve("pages/study.html");
        assertEquals(0, Main.run("report", "--results", csv.toString(), "--out", page.toString(), "--study",
                "--bootstrap", "0"));
        assertTrue(Files.readString(page).contains("Fig. 11"));
        assertTrue(Files.isRegularFile(tmp.resolve("pages/analysis.json")));
    }

    @Test
    void missingInputIsAnError() {
        assertNotEquals(0, Main.run("analyze", tmp.resolve("nothing").toString()));
    }
}
