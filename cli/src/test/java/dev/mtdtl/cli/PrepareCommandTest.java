package dev.mtdtl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mtdtl synth} then {@code mtdtl prepare}, a re-run, refusals; {@code mtdtl import} exit codes. */
class PrepareCommandTest {

    @TempDir
    Path tmp;

    @Test
    void synthThenPrepare() {
        Path c = tmp.resolve("c");
        Path p = tmp.resolve("p");
        assertEquals(0, Main.run("synth", "--out", c.toString(), "--tracks", "12", "--seconds", "1",
                "--target-scale", "0.125", "--emotion-clips", "20", "--recsys-users", "20", "--no-installed-soundbanks"));
        String[] args = {"prepare", "--corpus", c.toString(), "--out", p.toString(), "--topics", "2", "--iterations", "5"};
        assertEquals(0, Main.run(args));
        assertTrue(Files.isRegularFile(p.resolve("prepared.json")));
        assertTrue(Files.isRegularFile(p.resolve("learning/train.mel")));
        assertTrue(Files.isRegularFile(p.resolve("learning/targets/tag.npy")));
        assertTrue(Files.isRegularFile(p.resolve("targets/genre/all.mel")));
        assertEquals(0, Main.run(args), "a re-run of a complete folder succeeds");
        assertEquals(1, Main.run("prepare", "--corpus", c.toString(), "--out", p.toString(), "--topics", "3"),
                "other settings into the same folder are refused");
        assertEquals(1, Main.run("prepare", "--corpus", tmp.resolve("none").toString(), "--out", p.toString()));
        assertEquals(1, Main.run("prepare", "--corpus", c.toString(), "--out", tmp.resolve("q").toString(),
                "--dtype", "int8"));
    }

    @Test
    void importFailsCleanlyOnMissingInput() {
        assertEquals(1, Main.run("import", "gtzan", "--root", tmp.resolve("none").toString(), "--corpus",
                tmp.resolve("c").toString()));
    }
}
