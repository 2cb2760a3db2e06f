package dev.mtdtl.cli;

import dev.mtdtl.eval.TrackEmbedder;
import dev.mtdtl.nn.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Integrity end to end: one flipped byte in a checkpoint, a mel store or a feature folder is caught by the
 * CRC-32 its sidecar records, in extract, the embedding API, evaluate and train's resume (which falls back
 * to the older checkpoint that verifies, names the corrupt one, and ends with the same bytes).
 */
class IntegrityTest {

    @TempDir
    Path tmp;

    static void flip(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x01;
        Files.write(f, b);
    }

    @Test
    void aCorruptNewestCheckpointIsRefusedByExtractAndTheApiAndSkippedByTrain() throws Exception {
        TinyPipeline t = TinyPipeline.get();
        Path run = tmp.resolve("run");
        FuzzCommandsTest.copyTree(t.run, run);
        String[] train = {"train", "--data", t.prepared.toString(), "--out", run.toString(), "--strategy", "mscr2",
                "--sources", "bpm,tag", "--iterations", "4", "--batch", "4", "--valid-every", "0", "--threads", "2"};
        assertEquals(0, FuzzCommandsTest.quiet(train).rc());                  // it-2 (copied) and it-4
        Path it4 = Checkpoint.dir(run, 4).resolve("model.safetensors");
        byte[] good = Files.readAllBytes(it4);
        flip(it4);
        Path out = tmp.resolve("features");
        FuzzCommandsTest.Outcome o = FuzzCommandsTest.quiet("extract", "--run", run.toString(), "--dataset",
                t.genre().toString(), "--out", out.toString());
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains(Checkpoint.dir(run, 4).toString()) && o.err().contains("CRC-32")
                && o.err().contains(Checkpoint.dir(run, 2) + " verifies"), o.err());
        assertFalse(Files.exists(out));
        Checkpoint.CorruptException e = assertThrows(Checkpoint.CorruptException.class,
                () -> TrackEmbedder.load(run, t.prepared));
        assertTrue(e.getMessage().contains("model.safetensors has CRC-32"), e.getMessage());
        o = FuzzCommandsTest.quiet(train);
        assertEquals(0, o.rc(), o.err());
        assertTrue(o.err().contains("moved the corrupt checkpoint " + Checkpoint.dir(run, 4)) && o.err().contains(
                "resuming " + run + " at iteration 2"), o.err());
        assertArrayEquals(good, Files.readAllBytes(it4), "retrained to the same bytes");
        assertEquals(0, FuzzCommandsTest.quiet("extract", "--run", run.toString(), "--dataset", t.genre().toString(),
                "--out", out.toString()).rc());
    }

    @Test
    void aFlippedByteInAMelStoreOrAFeatureFolderIsNamed() throws Exception {
        TinyPipeline t = TinyPipeline.get();
        Path root = tmp.resolve("prepared");
        Files.createDirectories(root);
        Files.copy(t.prepared.resolve("prepared.json"), root.resolve("prepared.json"));
        FuzzCommandsTest.copyTree(t.genre(), root.resolve("targets/genre"));
        flip(root.resolve("targets/genre/all.mel"));
        FuzzCommandsTest.Outcome o = FuzzCommandsTest.quiet("extract", "--baseline", "mfcc", "--dataset",
                root.resolve("targets/genre").toString(), "--out", tmp.resolve("f").toString());
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains(root.resolve("targets/genre/all.mel") + ": damaged: CRC-32"), o.err());
        Path f = tmp.resolve("features");
        FuzzCommandsTest.copyTree(t.mfccFeatures, f);
        flip(f.resolve("features.npy"));
        o = FuzzCommandsTest.quiet("evaluate", "--features", f.toString(), "--dataset", t.genre().toString(), "--out",
                tmp.resolve("r.csv").toString());
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains(f.resolve("features.npy") + ": damaged: CRC-32"), o.err());
        assertFalse(Files.exists(tmp.resolve("r.csv")));
    }
}
