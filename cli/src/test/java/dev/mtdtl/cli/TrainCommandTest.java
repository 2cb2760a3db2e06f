package dev.mtdtl.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** synth -> prepare -> train end to end, and the CLI's automatic resume being exact. */
class TrainCommandTest {

    @TempDir
    static Path tmp;

    static Path prepared;

    @BeforeAll
    static void corpus() {
        Path c = tmp.resolve("corpus");
        prepared = tmp.resolve("prepared");
        assertEquals(0, Main.run("synth", "--out", c.toString(), "--tracks", "30", "--seconds", "1",
                "--target-scale", "0.125", "--emotion-clips", "20", "--recsys-users", "20", "--no-installed-soundbanks"));
        assertEquals(0, Main.run("prepare", "--corpus", c.toString(), "--out", prepared.toString(), "--topics", "4",
                "--iterations", "5"));
    }

    private static int train(Path run, int iterations) {
        return Main.run("train", "--data", prepared.toString(), "--out", run.toString(), "--strategy", "mscr4",
                "--sources", "bpm,self", "--iterations", String.valueOf(iterations), "--batch", "4", "--seed", "3",
                "--valid-every", "0", "--checkpoint-every", "2", "--threads", "2");
    }

    @Test
    void stoppedAndResumedRunEndsBitIdenticalToAnUninterruptedOne() throws Exception {
        Path a = tmp.resolve("run-a");
        Path b = tmp.resolve("run-b");
        assertEquals(0, train(a, 6));
        assertEquals(0, train(b, 3));     // stops at 3 (checkpoints 2 and 3) ...
        assertEquals(0, train(b, 6));     // ... and the same command with a larger total continues
        for (String f : new String[]{"model.safetensors", "optim.safetensors"}) {
            byte[] x = Files.readAllBytes(a.resolve("checkpoints/it-000000006").resolve(f));
            byte[] y = Files.readAllBytes(b.resolve("checkpoints/it-000000006").resolve(f));
            assertArrayEquals(x, y, f + " differs after resume");
        }
        assertTrue(Files.readString(a.resolve("checkpoints/it-000000006/checkpoint.json")).contains("mscr4"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"ssr", "msscr", "mscr2", "mscr6", "mssrfc"})
    void everyStrategyTrainsFromThePreparedStore(String strategy) {
        Path r = tmp.resolve("run-" + strategy);
        assertEquals(0, Main.run("train", "--data", prepared.toString(), "--out", r.toString(), "--strategy", strategy,
                "--sources", strategy.equals("ssr") ? "bpm" : "bpm,self", "--iterations", "2", "--batch", "4",
                "--valid-every", "0", "--threads", "2"));
        assertTrue(Files.isRegularFile(r.resolve("checkpoints/it-000000002/model.safetensors")));
    }

    @Test
    void unknownSourceOrStrategyIsAClearError() {
        Path r = tmp.resolve("run-bad");
        assertNotEquals(0, Main.run("train", "--data", prepared.toString(), "--out", r.toString(), "--strategy",
                "mscr9", "--sources", "bpm", "--iterations", "1"));
        assertNotEquals(0, Main.run("train", "--data", prepared.toString(), "--out", r.toString(), "--strategy",
                "ssr", "--sources", "flux", "--iterations", "1"));
        assertNotEquals(0, Main.run("train", "--data", tmp.resolve("nothing").toString(), "--out", r.toString(),
                "--strategy", "ssr", "--sources", "bpm", "--iterations", "1"));
    }

    /** A second trainer of the same run (a command started twice) stops at once, naming the run, and writes nothing. */
    @Test
    void aRunBeingTrainedIsNotTrainedTwice() throws Exception {
        Path r = tmp.resolve("run-held");
        try (dev.mtdtl.tensor.io.OutputLock held = dev.mtdtl.tensor.io.OutputLock.folder(r)) {
            FuzzCommandsTest.Outcome o = FuzzCommandsTest.quiet("train", "--data", prepared.toString(), "--out",
                    r.toString(), "--strategy", "ssr", "--sources", "bpm", "--iterations", "1", "--batch", "4");
            assertEquals(1, o.rc(), o.err());
            assertTrue(o.err().contains(r + " is being written by another mtdtl command"), o.err());
            assertTrue(!Files.exists(r.resolve("checkpoints")), "nothing written");
        }
        assertEquals(0, train(r, 1));
    }
}
