package dev.mtdtl.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the protocol record says the repetitions vary is what the split does, on every protocol path: a fixed
 * split used as it is (the model's seed only), a fixed split with no test track among the evaluated tracks (a
 * tiny corpus: the split file's folds, so the test fold too), the whole-set k-fold (classification without a
 * split), the split file's folds (regression without a split), artist folds.
 */
class RepetitionsDifferTest {

    @TempDir
    Path tmp;

    // PREPARED/targets/toy with 20 tracks T000..T019 (classes c0..c1, or numbers), the given protocol and
    // split.tsv: track i is "test" when test.test(i), fold i % 5.
    private TargetDataset toy(String name, String protocol, String task, java.util.function.IntPredicate test,
                              boolean artists) throws IOException {
        Path d = tmp.resolve(name).resolve("targets").resolve("toy");
        Files.createDirectories(d);
        Files.writeString(d.getParent().getParent().resolve("prepared.json"),
                "{\"targets\": {\"toy\": {\"task\": \"" + task + "\", \"protocol\": \"" + protocol + "\"}}}");
        StringBuilder labels = new StringBuilder("track_id\tlabel\n");
        StringBuilder split = new StringBuilder("track_id\tsplit\tfold\n");
        StringBuilder tracks = new StringBuilder("track_id\tartist_id\n");
        for (int i = 0; i < 20; i++) {
            labels.append(String.format("T%03d\t%s%n", i, task.equals("classification") ? "c" + i % 2 : i % 7));
            split.append(String.format("T%03d\t%s\t%d%n", i, test.test(i) ? "test" : "train", i % 5));
            tracks.append(String.format("T%03d\ta%d%n", i, i % 6));
        }
        Files.writeString(d.resolve("labels.tsv"), labels);
        Files.writeString(d.resolve("split.tsv"), split);
        if (artists) {
            Files.writeString(d.resolve("tracks.tsv"), tracks);
        }
        return TargetDataset.open(d);
    }

    private static FeatureSet features(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(String.format("T%03d", i));
        }
        return new FeatureSet("run", "ssr", "bpm", "toy", ids, new float[n * 2], 2);
    }

    private static boolean[] test(TargetDataset ds, List<String> ids, int rep) {
        return ds.testRows(ids, null, rep, 1);
    }

    @Test
    void aFixedSplitIsSaidToVaryOnlyTheSeedUnlessItHasNoTestTrack() throws IOException {
        FeatureSet all = features(20);
        TargetDataset used = toy("used", "fixed-split", "regression", i -> i % 4 == 0, false);
        assertEquals(Evaluation.FIXED_SPLIT_SEED_ONLY, Evaluation.repetitionsDiffer(all, used, false));
        assertArrayEquals(test(used, all.ids(), 0), test(used, all.ids(), 1), "the same split in every repetition");

        // No test track at all: repetition k tests fold k of split.tsv, and the record says so.
        TargetDataset none = toy("none", "fixed-split", "regression", i -> false, false);
        String d = Evaluation.repetitionsDiffer(all, none, false);
        assertTrue(d.startsWith("the test fold and the model's seed") && d.contains("20 evaluated tracks")
                && d.contains("fold k mod 5 of split.tsv"), d);
        assertFalse(Arrays.equals(test(none, all.ids(), 0), test(none, all.ids(), 1)), "repetitions differ in the split");
        for (int i = 0; i < 20; i++) {
            assertEquals(i % 5 == 3, test(none, all.ids(), 3)[i]);
        }

        // Test tracks exist, but none among the tracks that have features: the fallback is decided on those.
        TargetDataset some = toy("some", "fixed-split", "regression", i -> i >= 15, false);
        FeatureSet first15 = features(15);
        assertTrue(Evaluation.repetitionsDiffer(first15, some, false).contains("15 evaluated tracks"));
        assertEquals(Evaluation.FIXED_SPLIT_SEED_ONLY, Evaluation.repetitionsDiffer(all, some, false));
        assertTrue(test(some, first15.ids(), 2)[2] && !test(some, first15.ids(), 2)[3]);
    }

    @Test
    void theOtherProtocolsSayWhatTheyVary() throws IOException {
        FeatureSet all = features(20);
        TargetDataset cls = toy("cls", "stratified-5-fold", "classification", i -> false, false);
        assertTrue(Evaluation.repetitionsDiffer(all, cls, false).startsWith("the seeded 5-fold partition of the whole set"));
        TargetDataset reg = toy("reg", "stratified-5-fold", "regression", i -> false, false);
        assertTrue(Evaluation.repetitionsDiffer(all, reg, false).startsWith("the test fold (fold k of split.tsv)"));
        assertFalse(Arrays.equals(test(reg, all.ids(), 0), test(reg, all.ids(), 1)));
        TargetDataset art = toy("art", "fixed-split", "regression", i -> false, true).withArtistFolds(true);
        assertTrue(Evaluation.repetitionsDiffer(all, art, true).startsWith("the test fold (seeded artist-grouped"));
        assertFalse(art.fixedSplitFallsBackToFolds(all.ids()), "artist folds replace the split");
    }
}
