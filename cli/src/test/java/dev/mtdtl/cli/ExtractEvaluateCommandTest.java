package dev.mtdtl.cli;

import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.eval.FeatureSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** synth -> prepare -> train -> extract (run, Rand, MFCC) -> evaluate on every target task, and the errors. */
class ExtractEvaluateCommandTest {

    @TempDir
    static Path tmp;

    static Path prepared;
    static Path run;

    @BeforeAll
    static void corpus() {
        Path c = tmp.resolve("corpus");
        prepared = tmp.resolve("prepared");
        run = tmp.resolve("run");
        assertEquals(0, Main.run("synth", "--out", c.toString(), "--tracks", "30", "--seconds", "1",
                "--target-scale", "0.125", "--emotion-clips", "20", "--recsys-users", "20", "--no-installed-soundbanks"));
        assertEquals(0, Main.run("prepare", "--corpus", c.toString(), "--out", prepared.toString(), "--topics", "4",
                "--iterations", "5"));
        assertEquals(0, Main.run("train", "--data", prepared.toString(), "--out", run.toString(), "--strategy", "mscr2",
                "--sources", "bpm,tag", "--iterations", "2", "--batch", "4", "--valid-every", "0", "--threads", "2"));
    }

    private static Path extract(String dataset, String... what) {
        Path out = tmp.resolve("f-" + String.join("", what).replaceAll("[^a-z]", "") + "-" + dataset);
        String[] base = {"extract", "--dataset", prepared.resolve("targets").resolve(dataset).toString(), "--out",
                out.toString(), "--threads", "2"};
        String[] args = new String[base.length + what.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(what, 0, args, base.length, what.length);
        assertEquals(0, Main.run(args));
        return out;
    }

    @Test
    void theEmbeddingApiGivesExtractsVectorsForFilesAndPcm() throws Exception {
        FeatureSet f = FeatureSet.read(extract("genre", "--run", run.toString()));
        dev.mtdtl.eval.TrackEmbedder e = dev.mtdtl.eval.TrackEmbedder.load(run, prepared);
        assertEquals(f.dims(), e.dims());
        Path genre = tmp.resolve("corpus/targets/genre");
        java.util.Map<String, String> audio = new java.util.HashMap<>();
        for (String line : Files.readAllLines(genre.resolve("tracks.tsv")).subList(1, 4)) {
            String[] c = line.split("\t");
            audio.put(c[0], c[3]);
        }
        int compared = 0;
        for (int i = 0; i < f.ids().size(); i++) {
            String wav = audio.get(f.ids().get(i));
            if (wav == null) {
                continue;
            }
            compared++;
            float[] want = java.util.Arrays.copyOfRange(f.x(), i * f.dims(), (i + 1) * f.dims());
            assertArrayEquals(want, e.embed(genre.resolve(wav)), 0f, "file path of " + f.ids().get(i));
            dev.mtdtl.dsp.Audio a = dev.mtdtl.dsp.AudioDecoder.decode(genre.resolve(wav));
            assertArrayEquals(want, e.embed(a.samples(), a.channels(), a.sampleRate()), 0f, "PCM of " + f.ids().get(i));
        }
        assertEquals(3, compared, "three tracks of the genre set compared");
    }

    @Test
    void everyTaskGetsResultRowsForRunsAndBaselines() throws Exception {
        Path csv = tmp.resolve("results.csv");
        for (String d : List.of("genre", "dance", "instrument", "emotion", "recsys")) {
            Path fr = extract(d, "--run", run.toString());
            Path fd = extract(d, "--baseline", "rand");
            Path fm = extract(d, "--baseline", "mfcc");
            FeatureSet r = FeatureSet.read(fr);
            assertEquals(2 * 2 * 256, r.dims(), "MS-CR@2 with 2 sources: [mean || std] of 2 x 256");
            assertEquals("mscr2", r.strategy());
            assertEquals("bpm+tag", r.sources());
            assertEquals(512, FeatureSet.read(fd).dims());
            assertEquals(120, FeatureSet.read(fm).dims());
            assertEquals(0, Main.run("evaluate", "--features", fr + "," + fd + "," + fm, "--dataset",
                    prepared.resolve("targets").resolve(d).toString(), "--out", csv.toString(), "--repetitions", "2",
                    "--max-epochs", "20", "--threads", "2", "--wmf-variant", "paper"));
        }
        List<Evaluation.Row> rows = Evaluation.read(csv);
        // 4 classification/regression datasets: genre, dance, instrument 1 metric; emotion 2; recsys 2
        assertEquals(3 * 2 * (1 + 1 + 1 + 2 + 2), rows.size());
        assertTrue(rows.stream().allMatch(x -> Double.isFinite(x.value())), rows.toString());
        // resume: the same command adds nothing
        byte[] before = Files.readAllBytes(csv);
        assertEquals(0, Main.run("evaluate", "--features", extract("genre", "--baseline", "rand").toString(),
                "--dataset", prepared.resolve("targets/genre").toString(), "--out", csv.toString()));
        assertArrayEquals(before, Files.readAllBytes(csv));
        Path html = tmp.resolve("report.html");
        assertEquals(0, Main.run("report", "--results", csv.toString(), "--out", html.toString()));
        String page = Files.readString(html);
        assertTrue(page.contains("<svg") && page.contains("genre accuracy") && page.contains("Rand"), page);
        assertTrue(!page.contains("<script") && !page.contains("http://") || page.contains("xmlns"), "self-contained");
    }

    @Test
    void featuresOfAnotherDatasetAreRefused() {
        Path f = extract("dance", "--baseline", "mfcc");
        assertEquals(1, Main.run("evaluate", "--features", f.toString(), "--dataset",
                prepared.resolve("targets/genre").toString(), "--out", tmp.resolve("bad.csv").toString()));
    }

    @Test
    void artistFoldsEvaluate() throws Exception {
        Path f = extract("genre", "--baseline", "mfcc");
        Path csv = tmp.resolve("artist.csv");
        assertEquals(0, Main.run("evaluate", "--features", f.toString(), "--dataset",
                prepared.resolve("targets/genre").toString(), "--out", csv.toString(), "--artist-folds",
                "--repetitions", "2", "--max-epochs", "5"));
        assertEquals(2, Evaluation.read(csv).size());
    }

    @Test
    void extractionIsDeterministicAndResumable() throws Exception {
        Path a = extract("emotion", "--baseline", "rand", "--seed", "4");
        byte[] x = Files.readAllBytes(a.resolve("features.npy"));
        Files.delete(a.resolve("features.json"));    // incomplete: recomputed
        extract("emotion", "--baseline", "rand", "--seed", "4");
        assertArrayEquals(x, Files.readAllBytes(a.resolve("features.npy")));
    }
}
