package dev.mtdtl.eval;

import dev.mtdtl.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Classification without a predefined split (protocol stratified-5-fold): every repetition is a k-fold over the
 * whole set, so every track is tested once per repetition, and repetitions draw different partitions.
 */
class WholeSetFoldsTest {

    @TempDir
    Path tmp;

    // A prepared folder with one target dataset "toy": 3 classes x perClass tracks, the given protocol.
    private TargetDataset toy(String protocol, String task, int perClass) throws IOException {
        Path d = tmp.resolve(protocol + task).resolve("targets").resolve("toy");
        Files.createDirectories(d);
        Files.writeString(d.getParent().getParent().resolve("prepared.json"),
                "{\"targets\": {\"toy\": {\"task\": \"" + task + "\", \"protocol\": \"" + protocol + "\"}}}");
        StringBuilder labels = new StringBuilder("track_id\tlabel\n");
        StringBuilder split = new StringBuilder("track_id\tsplit\tfold\n");
        for (int i = 0; i < 3 * perClass; i++) {
            labels.append(String.format("T%03d\t%s%n", i, task.equals("classification") ? "c" + i % 3 : i % 7));
            split.append(String.format("T%03d\t%s\t%d%n", i, i % 5 == 0 ? "test" : "train", i % 5));
        }
        Files.writeString(d.resolve("labels.tsv"), labels);
        Files.writeString(d.resolve("split.tsv"), split);
        return TargetDataset.open(d);
    }

    // Features that separate the classes up to noise: class c has a bump at dimension c.
    private static FeatureSet features(int n, long seed) {
        int d = 6;
        float[] x = new float[n * d];
        Rng r = new Rng(seed);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(String.format("T%03d", i));
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (r.nextGaussian() + (j == i % 3 ? 3.0 : 0));
            }
        }
        return new FeatureSet("toy-run", "ssr", "bpm", "toy", ids, x, d);
    }

    @Test
    void everyRepetitionIsAStratifiedPartitionOfItsOwn() throws IOException {
        TargetDataset ds = toy("stratified-5-fold", "classification", 12);
        int[] y = new int[36];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 3;
        }
        int[] f0 = ds.wholeSetFolds(y, 0, 5);
        int[] f1 = ds.wholeSetFolds(y, 1, 5);
        assertNotNull(f0);
        assertFalse(Arrays.equals(f0, f1), "repetitions must draw different partitions");
        assertTrue(Arrays.equals(f0, ds.wholeSetFolds(y, 0, 5)), "seeded");
        for (int[] f : List.of(f0, f1)) {
            int[][] count = new int[3][TargetDataset.WHOLE_SET_FOLDS];
            for (int i = 0; i < y.length; i++) {
                count[y[i]][f[i]]++;
            }
            for (int[] c : count) {
                assertTrue(Arrays.stream(c).max().getAsInt() - Arrays.stream(c).min().getAsInt() <= 1,
                        Arrays.toString(c));
            }
        }
        // a predefined split, regression, or artist folds keep their protocol
        assertNull(toy("fixed-split", "classification", 12).wholeSetFolds(y, 0, 5));
        assertNull(ds.wholeSetFolds(null, 0, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ds.wholeSetFolds(new int[]{0, 0, 0, 0, 0, 1, 1}, 0, 5));
        assertTrue(e.getMessage().startsWith("toy: class 1 has 2 member(s)"), e.getMessage());
    }

    @Test
    void accuracyIsOverEveryTrackAndRepetitionsDiffer() throws IOException {
        TargetDataset ds = toy("stratified-5-fold", "classification", 12);
        List<Evaluation.Row> rows = Evaluation.run(features(36, 3), ds, 2, 11, true, 50, null);
        assertEquals(2, rows.size());
        for (Evaluation.Row r : rows) {
            assertEquals("accuracy", r.metric());
            assertTrue(r.value() > 0.5, "a planted task is learned: " + r.value());
        }
        assertEquals(rows, Evaluation.run(features(36, 3), ds, 2, 11, true, 50, null), "seeded");
        // Repetition 1 recomputed by hand: five models, each predicting the fold it did not see, accuracy over all
        // 36 tracks (a fixed split would test 8).
        FeatureSet f = features(36, 3);
        int[] y = new int[36];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 3;
        }
        int[] fold = ds.wholeSetFolds(y, 1, 11);
        int[] pred = new int[36];
        for (int part = 0; part < TargetDataset.WHOLE_SET_FOLDS; part++) {
            int ntr = 0;
            for (int v : fold) {
                ntr += v == part ? 0 : 1;
            }
            float[] xtr = new float[ntr * 6];
            int[] ytr = new int[ntr];
            for (int i = 0, a = 0; i < 36; i++) {
                if (fold[i] != part) {
                    System.arraycopy(f.x(), i * 6, xtr, a * 6, 6);
                    ytr[a++] = y[i];
                }
            }
            Mlp m = Mlp.classifier(xtr, ntr, 6, ytr, 3, Mlp.Options.sklearn(Rng.hash(Rng.hash(11, 1), part))
                    .withStandardize(true).withMaxEpochs(50));
            float[] xte = new float[(36 - ntr) * 6];
            int[] te = new int[36 - ntr];
            for (int i = 0, b = 0; i < 36; i++) {
                if (fold[i] == part) {
                    System.arraycopy(f.x(), i * 6, xte, b * 6, 6);
                    te[b++] = i;
                }
            }
            int[] p = m.predictClass(xte, te.length);
            for (int i = 0; i < te.length; i++) {
                pred[te[i]] = p[i];
            }
        }
        assertEquals(Metrics.accuracy(y, pred), rows.get(1).value(), 1e-12);
    }

    @Test
    void aFixedSplitTestsOnlyItsTestTracks() throws IOException {
        TargetDataset ds = toy("fixed-split", "classification", 12);
        List<Evaluation.Row> rows = Evaluation.run(features(36, 3), ds, 2, 11, true, 50, null);
        for (Evaluation.Row r : rows) {
            // 8 of the 36 tracks are "test" in split.tsv (i % 5 == 0)
            assertEquals(Math.round(r.value() * 8), r.value() * 8, 1e-9, "accuracy " + r.value());
        }
    }

    /**
     * The fits of an evaluation run side by side, one a thread: every row is the same at 1, 2 and 3 threads, for the
     * whole-set folds (5 fits a repetition), a fixed split (one fit a repetition) and a regression (R² rows).
     */
    @Test
    void rowsDoNotDependOnTheThreadCount() throws IOException {
        int threads0 = dev.mtdtl.tensor.Parallel.threads();
        try {
            for (TargetDataset ds : List.of(toy("stratified-5-fold", "classification", 12),
                    toy("fixed-split", "classification", 12), toy("stratified-5-fold", "regression", 12))) {
                // 3 repetitions: 15 fits (whole-set folds) or 3 (fixed split), rounds full or not at 2 and 3 threads
                dev.mtdtl.tensor.Parallel.setThreads(1);
                List<Evaluation.Row> one = Evaluation.run(features(36, 3), ds, 3, 11, true, 30, null);
                assertFalse(one.isEmpty());
                for (int threads : new int[]{2, 3}) {
                    dev.mtdtl.tensor.Parallel.setThreads(threads);
                    assertEquals(one, Evaluation.run(features(36, 3), ds, 3, 11, true, 30, null),
                            ds.dir + " at " + threads + " threads");
                }
            }
        } finally {
            dev.mtdtl.tensor.Parallel.setThreads(threads0);
        }
    }
}
