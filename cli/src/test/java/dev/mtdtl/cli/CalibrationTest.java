package dev.mtdtl.cli;

import dev.mtdtl.eval.Evaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in corpus's calibration at the quickstart's scale and training budget (docs/corpus.md,
 * "Calibration of trained representations"): a representation trained on bpm alone beats the untrained network
 * (Rand) and MFCC on dance by a clear margin, and one trained on tag beats them on genre by a clear margin.
 * Generator version 2 failed the second half (SS-R(tag) 0.641, MFCC 0.652): its 400-track learning corpus held 3
 * tagged blues and 4 tagged classical tracks, and every genre had its own palette of programs, which frame statistics
 * name without learning; version 3 meets genre quotas and lets neighbouring genres share palettes.
 *
 * <p>Opt-in, because it takes about 10 minutes on 2 cores (synth 1,230 clips, prepare, two 300-iteration runs,
 * extraction, 5 repetitions of evaluation): {@code MTDTL_CALIBRATION=1 mvn -B test -pl cli -am
 * -Dtest=CalibrationTest -Dsurefire.failIfNoSpecifiedTests=false}; {@code MTDTL_CALIBRATION=DIR} keeps the work in
 * DIR, so an interrupted run resumes. What CI checks instead, in seconds: the cause of the failure this guards
 * against ({@code BpmTargetsTest}: bpm targets that neighbouring tempi share), the dance set's timbre shortcut
 * ({@code SynthCalibrationTest}) and the whole-set k-fold ({@code WholeSetFoldsTest}).
 */
@EnabledIfEnvironmentVariable(named = "MTDTL_CALIBRATION", matches = ".+")
class CalibrationTest {

    @TempDir
    Path tmp;

    @Test
    void tempoAndTagRepresentationsBeatTheBaselinesOnTheirTasks() throws Exception {
        String env = System.getenv("MTDTL_CALIBRATION");
        Path dir = env.equals("1") || env.equalsIgnoreCase("true") ? tmp : Path.of(env);
        Path corpus = dir.resolve("corpus");
        Path prepared = dir.resolve("prepared");
        // The quickstart's corpus and schedule (QuickstartCommand's defaults). Only genre and dance are measured, and
        // every target has its own random stream and the learning corpus is drawn first (docs/corpus.md), so the
        // other targets are made at their minimum sizes: the same learning corpus, genre and dance sets, 1,230 clips
        // to render instead of 2,120.
        assertEquals(0, Main.run("synth", "--out", corpus.toString(), "--tracks", "400", "--seconds", "10", "--seed",
                "1", "--no-installed-soundbanks", "--instrument-per-class", "5", "--emotion-clips", "20",
                "--recsys-tracks", "40", "--recsys-users", "20"));
        assertEquals(0, Main.run("prepare", "--corpus", corpus.toString(), "--out", prepared.toString(), "--seed", "1"));
        for (String source : List.of("bpm", "tag")) {
            assertEquals(0, Main.run("train", "--data", prepared.toString(), "--out", dir.resolve("ssr-" + source)
                            .toString(), "--strategy", "ssr", "--sources", source, "--iterations", "300", "--batch", "32",
                    "--lr", "1e-3", "--seed", "1", "--valid-every", "0", "--log-every", "100"));
        }
        double[] dance = scores(dir, prepared, "dance", "ssr-bpm");
        double[] genre = scores(dir, prepared, "genre", "ssr-tag");
        // Both halves are checked and reported, whichever fails.
        assertAll(() -> assertTrue(dance[0] >= Math.max(dance[1], dance[2]) + 0.10,
                        "SS-R(bpm) should beat Rand and MFCC on dance by 0.10: " + java.util.Arrays.toString(dance)),
                () -> assertTrue(genre[0] >= Math.max(genre[1], genre[2]) + 0.05,
                        "SS-R(tag) should beat Rand and MFCC on genre by 0.05: " + java.util.Arrays.toString(genre)));
    }

    // Mean accuracy over 5 repetitions of {run, Rand, MFCC} on one dataset (standardised MLP inputs).
    private static double[] scores(Path dir, Path prepared, String dataset, String run) {
        Path ds = prepared.resolve("targets").resolve(dataset);
        Path f = dir.resolve("features");
        assertEquals(0, Main.run("extract", "--run", dir.resolve(run).toString(), "--dataset", ds.toString(), "--out",
                f.resolve(run).resolve(dataset).toString()));
        assertEquals(0, Main.run("extract", "--baseline", "rand", "--dataset", ds.toString(), "--out",
                f.resolve("rand").resolve(dataset).toString()));
        assertEquals(0, Main.run("extract", "--baseline", "mfcc", "--dataset", ds.toString(), "--out",
                f.resolve("mfcc").resolve(dataset).toString()));
        Path csv = dir.resolve("results-" + dataset + ".csv");
        assertEquals(0, Main.run("evaluate", "--features", f.resolve(run).resolve(dataset) + ","
                + f.resolve("rand").resolve(dataset) + "," + f.resolve("mfcc").resolve(dataset), "--dataset",
                ds.toString(), "--out", csv.toString(), "--standardize", "--repetitions", "5"));
        try {
            List<Evaluation.Row> rows = Evaluation.read(csv);
            double[] mean = new double[3];
            String[] names = {run, "rand", "mfcc"};
            for (int i = 0; i < 3; i++) {
                String name = names[i];
                mean[i] = rows.stream().filter(r -> r.run().equals(name) && r.metric().equals("accuracy"))
                        .mapToDouble(Evaluation.Row::value).average().orElseThrow();
            }
            System.out.printf(Locale.ROOT, "calibration: %s accuracy: %s %.3f, Rand %.3f, MFCC %.3f%n", dataset, run,
                    mean[0], mean[1], mean[2]);
            return mean;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
