package dev.mtdtl.cli;

import static dev.mtdtl.cli.FuzzCommandsTest.SEED;
import static dev.mtdtl.cli.FuzzCommandsTest.copyTree;
import static dev.mtdtl.cli.FuzzCommandsTest.expectClean;
import static dev.mtdtl.cli.FuzzCommandsTest.genreWavs;
import static dev.mtdtl.cli.FuzzCommandsTest.mutate;
import static dev.mtdtl.cli.FuzzCommandsTest.quiet;
import static dev.mtdtl.cli.FuzzCommandsTest.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.cli.FuzzCommandsTest.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzzing suite's inputs of an embedding application and of a study ({@link FuzzCommandsTest} has the
 * pipeline's, and the rules every case is held to): the one-file model, an embedding resumed from its part files,
 * the study folder, a study's per-run state resumed by the runner. Same seed property ({@code -Dmtdtl.fuzz.seed=N}).
 */
class FuzzEmbedAndStudyTest {

    @TempDir
    static Path tmp;

    static Path corpus;
    static Path prepared;
    static Path run;

    @BeforeAll
    static void pipeline() throws IOException {
        TinyPipeline t = TinyPipeline.get();
        corpus = t.corpus;
        prepared = t.prepared;
        run = t.run;
    }

    /** This class's categories (FuzzCommandsTest's summary leaves them to this one's). */
    static final List<String> CATEGORIES = List.of("one-file model", "embed part", "embed skip", "study folder",
            "study run state");

    @AfterAll
    static void summary() {
        for (String k : CATEGORIES) {
            int[] v = FuzzCommandsTest.TALLY.getOrDefault(k, new int[3]);
            System.out.printf("fuzz %-22s %3d cases: %3d completed, %3d refused with a clear message%n", k, v[0], v[1],
                    v[2]);
        }
    }

    /** 'mtdtl export' of the tiny run into tmp/name. */
    static Path exportModel(String name) {
        Path m = tmp.resolve(name);
        Outcome ex = quiet("export", "--run", run.toString(), "--data", prepared.toString(), "--out", m.toString());
        assertEquals(0, ex.rc(), ex.err());
        return m;
    }

    /**
     * {@code wavs} copied into tmp/NAME-good as 000.wav, 001.wav, ... and embedded from there by 'mtdtl embed' into
     * tmp/NAME-fresh.npy (the reference a case's vectors must equal); returns the folder.
     */
    private static Path embeddedFolder(Path model, List<Path> wavs, String name) throws IOException {
        Path good = tmp.resolve(name + "-good");
        Files.createDirectories(good);
        for (int k = 0; k < wavs.size(); k++) {
            Files.copy(wavs.get(k), good.resolve(String.format("%03d.wav", k)));
        }
        assertEquals(0, quiet("embed", "--model", model.toString(), "--in", good.toString(), "--out",
                tmp.resolve(name + "-fresh.npy").toString(), "--threads", "2").rc());
        return good;
    }

    /**
     * The one-file model ('mtdtl export' of the tiny run), binary mutations kept as they are (the SHA-256 at its end
     * must catch them) or with the checksum recomputed (the reader must), used by 'mtdtl embed' on a corpus WAV.
     */
    @Test
    void oneFileModels() throws IOException {
        Random r = new Random(SEED + 11);
        Path base = exportModel("model-base.mtdtl");
        Path wav = genreWavs(corpus, 1).get(0);
        List<String> failures = new ArrayList<>();
        int n = 24;
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("model-" + i);
            Files.createDirectories(c);
            Path m = c.resolve("model.mtdtl");
            Files.copy(base, m);
            StringBuilder what = new StringBuilder("model #" + i + " ");
            boolean changed = mutate(m, r, what, false);
            boolean fixed = i % 2 == 1;
            if (fixed) {
                byte[] b = Files.readAllBytes(m);
                if (b.length >= 32) {
                    try {
                        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(
                                java.util.Arrays.copyOf(b, b.length - 32));
                        System.arraycopy(d, 0, b, b.length - 32, 32);
                    } catch (java.security.NoSuchAlgorithmException e) {
                        throw new IllegalStateException(e);
                    }
                    Files.write(m, b);
                    what.append(" (checksum recomputed)");
                }
            }
            Path out = c.resolve("v.npy");
            Outcome o = quiet("embed", "--model", m.toString(), "--in", wav.toString(), "--out", out.toString(),
                    "--threads", "2");
            expectClean("one-file model", what.toString(), o, c, out, failures);
            if (!fixed && changed && o.rc() != 1) {
                failures.add(what + ": a model file that fails its checksum was used (status " + o.rc() + ")");
            }
        }
        report(failures, n);
    }

    /**
     * 'mtdtl embed --in DIR' over a folder of three good files and one mutated one (a WAV or a FLAC with damaged frames,
     * binary mutations): status 0 with four rows, or status 1 with the mutated file alone in v.npy.skipped.txt and the
     * others' rows; either way the good files' vectors are those of a run over them alone, bit for bit. A decoder's
     * failure that is not the file's clear refusal (an internal error) would end with status 2 and fail the case.
     */
    @Test
    void embedFoldersWithAMutatedFile() throws IOException {
        Random r = new Random(SEED + 13);
        Path model = exportModel("skip-model.mtdtl");
        List<Path> wavs = genreWavs(corpus, 4);
        Path good = embeddedFolder(model, wavs.subList(0, 3), "skip");
        float[] want = dev.mtdtl.tensor.io.Npy.read(tmp.resolve("skip-fresh.npy")).toFloat();
        int d = want.length / 3;
        List<String> failures = new ArrayList<>();
        int n = 24;
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("skip-" + i);
            Path dir = c.resolve("in");
            copyTree(good, dir);
            boolean flac = i % 2 == 1;
            Path bad = dir.resolve(flac ? "m.flac" : "m.wav");   // sorts after 000-002: the last row when it decodes
            if (flac) {
                Files.write(bad, dev.mtdtl.dsp.TestAudio.damagedFlac(30, i, 7));
            } else {
                Files.copy(wavs.get(3), bad);
            }
            StringBuilder what = new StringBuilder("embed skip #" + i + " ");
            mutate(bad, r, what, false);
            Path out = c.resolve("v.npy");
            Outcome o = quiet("embed", "--model", model.toString(), "--in", dir.toString(), "--out", out.toString(),
                    "--threads", "2");
            int[] t = FuzzCommandsTest.TALLY.computeIfAbsent("embed skip", k -> new int[3]);
            t[0]++;
            Path skipped = c.resolve("v.npy.skipped.txt");
            try {
                if (o.rc() != 0 && o.rc() != 1) {
                    failures.add(what + ": status " + o.rc() + ": " + o.err().strip());
                    continue;
                }
                float[] got = dev.mtdtl.tensor.io.Npy.read(out).toFloat();
                int rows = o.rc() == 0 ? 4 : 3;
                if (got.length != rows * d) {
                    failures.add(what + ": status " + o.rc() + " with " + got.length / d + " rows");
                    continue;
                }
                if (!java.util.Arrays.equals(want, java.util.Arrays.copyOf(got, 3 * d))) {
                    failures.add(what + ": the good files' vectors differ from a run over them alone");
                }
                if (o.rc() == 0) {
                    t[1]++;
                    if (Files.exists(skipped)) {
                        failures.add(what + ": status 0 with a list of skipped files");
                    }
                } else {
                    t[2]++;
                    String list = Files.exists(skipped) ? Files.readString(skipped) : "";
                    if (!list.startsWith(bad.getFileName() + "\t") || list.lines().count() != 1) {
                        failures.add(what + ": status 1, skipped list: " + list);
                    }
                    if (!o.out().contains("skipped " + bad + ": ")) {
                        failures.add(what + ": status 1 without a line naming the file: " + o.out());
                    }
                }
            } catch (IOException e) {
                failures.add(what + ": status " + o.rc() + " but " + out + " unreadable: " + e.getMessage());
            }
        }
        report(failures, n);
    }

    /**
     * 'mtdtl embed --in DIR' resuming from a damaged part: a run that skips a file that is not audio (the 41st; status
     * 1) keeps its part files (the rows of the 40 others, their tracks, the progress JSON); one of them is mutated, the
     * file mended, and the run repeated. It must end as any case does,
     * and when it completes, its vectors must be those of a fresh run: a damaged part is refused or dropped, never
     * mixed in.
     */
    @Test
    void embedPartsResumed() throws IOException {
        Random r = new Random(SEED + 12);
        Path model = exportModel("parts-model.mtdtl");
        List<Path> wavs = genreWavs(corpus, 41);
        Path good = embeddedFolder(model, wavs, "parts");
        byte[] want = Files.readAllBytes(tmp.resolve("parts-fresh.npy"));
        String[] parts = {".part", ".part.tracks", ".part.json"};
        List<String> failures = new ArrayList<>();
        int n = 18;
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("parts-" + i);
            Path dir = c.resolve("in");
            copyTree(good, dir);
            Path last = dir.resolve(String.format("%03d.wav", wavs.size() - 1));
            Files.writeString(last, "not audio");
            Path out = c.resolve("v.npy");
            Outcome first = quiet("embed", "--model", model.toString(), "--in", dir.toString(), "--out", out.toString(),
                    "--threads", "2");
            assertEquals(1, first.rc(), first.err());
            assertTrue(Files.exists(c.resolve("v.npy.part.json")), "the run that skipped a file kept its vectors");
            // its output (40 rows) goes, so that what the next run leaves is its own: a failed run must leave none
            for (String f : new String[]{"v.npy", "v.npy.tracks.txt", "v.npy.skipped.txt"}) {
                Files.delete(c.resolve(f));
            }
            String part = parts[i % parts.length];
            StringBuilder what = new StringBuilder("embed part #" + i + " ");
            mutate(c.resolve("v.npy" + part), r, what, !part.equals(".part"));
            Files.copy(wavs.get(wavs.size() - 1), last, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Outcome o = quiet("embed", "--model", model.toString(), "--in", dir.toString(), "--out", out.toString(),
                    "--threads", "2");
            expectClean("embed part", what.toString(), o, c, out, failures);
            if (o.rc() == 0 && !java.util.Arrays.equals(want, Files.readAllBytes(out))) {
                failures.add(what + ": status 0 but the vectors differ from a fresh run's");
            }
        }
        report(failures, n);
    }

    /**
     * A study folder as 'mtdtl study design' and the runner leave it (plan.csv, study.json, design.json, results.csv
     * of 48 runs on three datasets), one file mutated, read by 'mtdtl study status' and 'mtdtl analyze'.
     */
    @Test
    void studyFolders() throws IOException {
        Random r = new Random(SEED + 10);
        Path base = tmp.resolve("study-base");
        dev.mtdtl.study.design.Preset small = dev.mtdtl.study.design.Preset.SMALL;
        dev.mtdtl.study.design.Designer.create(base, new dev.mtdtl.study.design.StudySpec(1, small.sources,
                small.strategies(), small.ssrRepeats, small.fullRepeats, small.id, small.schedule), 4);
        dev.mtdtl.eval.Evaluation.write(base.resolve("results.csv"), StudyAnalyzeCommandTest.results(1, false));
        String[] files = {"plan.csv", "study.json", "design.json", "results.csv"};
        List<String> failures = new ArrayList<>();
        int n = 24;
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("study-" + i);
            copyTree(base, c);
            StringBuilder what = new StringBuilder("study #" + i + " ");
            mutate(c.resolve(files[i % files.length]), r, what, true);
            Outcome st = quiet("study", "status", c.toString());
            expectClean("study folder", what + " (status)", st, c, null, failures);
            Outcome an = quiet("analyze", c.toString(), "--bootstrap", "5", "--seed", "1", "--threads", "2");
            expectClean("study folder", what + " (analyze)", an, c, c.resolve("analysis.json"), failures);
        }
        report(failures, 2 * n);
    }

    /**
     * 'mtdtl study run' resuming from damaged per-run state. The base: a study of one SS-R run (2 iterations) with
     * Rand and MFCC, evaluated on emotion and recsys only, run to the end; its sorted result rows are the reference.
     * Each case copies it, makes run r0001 interrupted before its merge in every other case (status "running", its
     * rows taken out of STUDY/results.csv), mutates one file of the runs' state or STUDY/results.csv, and runs the
     * study again. It must end as any case does, and when it ends with status 0 and every unit done, the rows must
     * be the reference's: damaged state is refused, or checked and rebuilt, never merged.
     */
    @Test
    void studyRunStateResumed() throws IOException {
        Random r = new Random(SEED + 13);
        Path data = tmp.resolve("run-state-prepared");
        copyTree(prepared, data);
        java.util.Map<String, Object> pj = dev.mtdtl.tensor.io.Json.parseObject(
                Files.readString(data.resolve("prepared.json")), "prepared.json");
        ((java.util.Map<?, ?>) pj.get("targets")).keySet().removeIf(k -> !k.equals("emotion") && !k.equals("recsys"));
        Files.writeString(data.resolve("prepared.json"), dev.mtdtl.tensor.io.Json.write(pj, 2));
        Path base = tmp.resolve("run-state-base");
        assertEquals(0, quiet("study", "design", "--out", base.toString(), "--sources", "bpm", "--strategies", "ssr",
                "--ssr-repeats", "1", "--iterations", "2", "--batch", "4", "--repetitions", "1", "--wmf-variant",
                "paper", "--seed", "3").rc());
        Outcome ref = quiet("study", "run", base.toString(), "--data", data.toString(), "--threads", "2");
        assertEquals(0, ref.rc(), ref.err() + ref.out());
        List<String> want = sortedRows(base.resolve("results.csv"));
        String[] files = {"runs/r0001/status.json", "runs/r0001/results.csv", "runs/r0001/checkpoints/it-000000002/checkpoint.json",
                "runs/r0001/features/emotion/features.json", "runs/r0001/features/emotion/features.npy",
                "runs/r0001/features/recsys/tracks.csv", "runs/mfcc/status.json", "runs/mfcc/results.csv", "results.csv"};
        List<String> failures = new ArrayList<>();
        int n = 36;
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("run-state-" + i);
            copyTree(base, c);
            boolean interrupted = i % 2 == 0;
            if (interrupted) {
                Path st = c.resolve("runs/r0001/status.json");
                Files.writeString(st, Files.readString(st).replace("\"done\"", "\"running\""));
                List<String> rows = new ArrayList<>(Files.readAllLines(c.resolve("results.csv")));
                rows.removeIf(l -> l.startsWith("r0001,"));
                Files.write(c.resolve("results.csv"), rows);
            }
            String f = files[(i / 2) % files.length];
            StringBuilder what = new StringBuilder("run state #" + i + (interrupted ? " (r0001 interrupted) " : " "));
            mutate(c.resolve(f), r, what, !f.endsWith(".npy"));
            Outcome o = quiet("study", "run", c.toString(), "--data", data.toString(), "--threads", "2");
            expectClean("study run state", what.toString(), o, c, null, failures);
            if (o.rc() == 0 && o.out().contains(" 0 failed,") && !want.equals(sortedRows(c.resolve("results.csv")))) {
                failures.add(what + ": status 0, every unit done, but the result rows differ from the reference's");
            }
            if (o.out().contains("mtdtl study run: ") && !o.out().contains(" 0 failed,")) {   // the error.txt path alone does not count
                for (String err : errors(c)) {
                    if (!err.contains(c.toString())) {
                        failures.add(what + ": a run failed without naming a file of the case: " + err);
                    }
                }
            }
        }
        report(failures, n);
    }

    /** The rows of a results CSV as the readers see them (blank lines are no rows), sorted. */
    static List<String> sortedRows(Path csv) throws IOException {
        List<String> l = new ArrayList<>(Files.readAllLines(csv));
        l.remove(0);
        l.removeIf(String::isBlank);
        java.util.Collections.sort(l);
        return l;
    }

    /** The first line of every error.txt of a study's runs: the exception and its message. */
    static List<String> errors(Path study) throws IOException {
        List<String> l = new ArrayList<>();
        try (java.util.stream.Stream<Path> w = Files.walk(study.resolve("runs"))) {
            for (Path e : w.filter(p -> p.getFileName().toString().equals("error.txt")).sorted().toList()) {
                l.add(Files.readAllLines(e).get(0));
            }
        }
        return l;
    }
}
