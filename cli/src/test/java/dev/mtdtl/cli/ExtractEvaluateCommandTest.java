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
        // a file past 47.5 s (a clip 60 times over) is streamed: the vector of its samples embedded whole
        dev.mtdtl.dsp.Audio clip = dev.mtdtl.dsp.AudioDecoder.decode(genre.resolve(audio.values().iterator().next()));
        int n = clip.frames();
        float[] longer = new float[clip.channels() * 60 * n];
        for (int c = 0; c < clip.channels(); c++) {
            for (int k = 0; k < 60; k++) {
                System.arraycopy(clip.samples(), c * n, longer, (c * 60 + k) * n, n);
            }
        }
        dev.mtdtl.dsp.Audio la = new dev.mtdtl.dsp.Audio(longer, clip.channels(), 60 * n, clip.sampleRate());
        assertTrue(la.seconds() > 47.5, la.seconds() + " s");
        Path longWav = tmp.resolve("long.wav");
        dev.mtdtl.dsp.WavWriter.write(longWav, la, dev.mtdtl.dsp.WavWriter.Encoding.FLOAT32);
        assertArrayEquals(e.embed(longer, la.channels(), la.sampleRate()), e.embed(longWav), 0f, "a streamed file");
    }

    /** export -> embed (CLI and TrackEmbedder.load(Path)) gives extract's vectors, bit for bit; bad model files. */
    @Test
    void theOneFileModelEmbedsAsExtractDoes() throws Exception {
        FeatureSet f = FeatureSet.read(extract("genre", "--run", run.toString()));
        Path model = tmp.resolve("model.mtdtl");
        assertEquals(0, Main.run("export", "--run", run.toString(), "--data", prepared.toString(), "--out", model.toString()));
        Path genre = tmp.resolve("corpus/targets/genre");
        Path one = tmp.resolve("audio");
        Files.createDirectories(one);
        java.util.Map<String, String> idOf = new java.util.HashMap<>();
        for (String line : Files.readAllLines(genre.resolve("tracks.tsv")).subList(1, 4)) {
            String[] c = line.split("\t");
            Path src = genre.resolve(c[3]);
            Files.copy(src, one.resolve(src.getFileName()));
            idOf.put(src.getFileName().toString(), c[0]);
        }
        Path vec = tmp.resolve("vectors.npy");
        assertEquals(0, Main.run("embed", "--model", model.toString(), "--in", one.toString(), "--out", vec.toString(),
                "--threads", "2"));
        dev.mtdtl.tensor.io.Npy.Array a = dev.mtdtl.tensor.io.Npy.read(vec);
        List<String> names = Files.readAllLines(tmp.resolve("vectors.npy.tracks.txt"));
        assertEquals(List.of(3, f.dims()), List.of(a.shape()[0], a.shape()[1]));
        dev.mtdtl.eval.TrackEmbedder te = dev.mtdtl.eval.TrackEmbedder.load(model);
        for (int r = 0; r < 3; r++) {
            int i = f.ids().indexOf(idOf.get(names.get(r)));
            float[] want = java.util.Arrays.copyOfRange(f.x(), i * f.dims(), (i + 1) * f.dims());
            float[] got = new float[f.dims()];
            for (int j = 0; j < got.length; j++) {
                got[j] = (float) a.values()[r * f.dims() + j];
            }
            assertArrayEquals(want, got, 0f, "mtdtl embed of " + names.get(r));
            assertArrayEquals(want, te.embed(one.resolve(names.get(r))), 0f, "TrackEmbedder.load(model) of " + names.get(r));
        }
        // a damaged model: one flipped byte in the weights -> exit 2 and the file named
        byte[] b = Files.readAllBytes(model);
        b[b.length - 100] ^= 1;
        Path bad = tmp.resolve("bad.mtdtl");
        Files.write(bad, b);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            assertTrue(Main.run("embed", "--model", bad.toString(), "--in", one.toString(), "--out",
                    tmp.resolve("v2.npy").toString()) != 0);
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains(bad.toString()) && err.toString().contains("checksum mismatch"), err.toString());
        assertTrue(Files.notExists(tmp.resolve("v2.npy")));
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
        // resume: the same command adds nothing (the same protocol: another is refused, keptRowsOfAnotherProtocol...)
        byte[] before = Files.readAllBytes(csv);
        assertEquals(0, Main.run("evaluate", "--features", extract("genre", "--baseline", "rand").toString(),
                "--dataset", prepared.resolve("targets/genre").toString(), "--out", csv.toString(), "--repetitions",
                "2"));
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

    /**
     * A finished feature folder is kept only for the extractor and dataset that made it: another run, a baseline or
     * another dataset into the same --out is refused, naming both. Before, each printed "already extracted, kept" and
     * gave the earlier features with status 0.
     */
    @Test
    void aFinishedFolderOfOtherFeaturesIsRefusedNotKept() throws Exception {
        Path f = tmp.resolve("f-used");
        String genre = prepared.resolve("targets/genre").toString();
        assertEquals(0, Main.run("extract", "--dataset", genre, "--out", f.toString(), "--baseline", "mfcc"));
        byte[] kept = Files.readAllBytes(f.resolve("features.npy"));
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(1, Main.run("extract", "--dataset", genre, "--out", f.toString(), "--run", run.toString(),
                    "--threads", "2"));
            assertEquals(1, Main.run("extract", "--dataset", prepared.resolve("targets/dance").toString(), "--out",
                    f.toString(), "--baseline", "mfcc"));
        } finally {
            System.setErr(err);
        }
        String msg = said.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(msg.contains(f + " holds the features of mfcc") && msg.contains("this command extracts run")
                && msg.contains("(mscr2 on bpm+tag") && msg.contains(") on dance: give another --out"), msg);
        assertEquals(0, Main.run("extract", "--dataset", genre, "--out", f.toString(), "--baseline", "mfcc"));
        assertArrayEquals(kept, Files.readAllBytes(f.resolve("features.npy")), "the same extractor keeps it");
    }

    /**
     * An evaluation whose rows are all in the results file already, asked for another protocol (more repetitions): it
     * printed "already in, kept" and left the earlier protocol's scores as the answer, status 0. Now refused, naming
     * both protocols; the same protocol still resumes.
     */
    @Test
    void keptRowsOfAnotherProtocolAreRefused() throws Exception {
        Path f = extract("instrument", "--baseline", "mfcc");
        Path csv = tmp.resolve("protocol.csv");
        String inst = prepared.resolve("targets/instrument").toString();
        assertEquals(0, Main.run("evaluate", "--features", f.toString(), "--dataset", inst, "--out", csv.toString(),
                "--repetitions", "2"));
        String rows = Files.readString(csv);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(1, Main.run("evaluate", "--features", f.toString(), "--dataset", inst, "--out",
                    csv.toString(), "--repetitions", "3"));
        } finally {
            System.setErr(err);
        }
        String msg = said.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(msg.contains("2 repetition(s)") && msg.contains("3 repetition(s)") && msg.contains("not comparable"),
                msg);
        assertEquals(0, Main.run("evaluate", "--features", f.toString(), "--dataset", inst, "--out", csv.toString(),
                "--repetitions", "2"));
        assertEquals(rows, Files.readString(csv), "the same protocol resumes, keeping the rows");
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
