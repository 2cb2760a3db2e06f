package dev.mtdtl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mtdtl synth}: a tiny corpus end to end, resumption, and the exit status of bad requests. */
class SynthCommandTest {

    @TempDir
    Path tmp;

    @Test
    void writesAResumableCorpus() throws Exception {
        Path out = tmp.resolve("c");
        String[] args = {"synth", "--out", out.toString(), "--tracks", "6", "--seconds", "1", "--no-installed-soundbanks"};
        assertEquals(0, Main.run(args));
        assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
        assertTrue(Files.isRegularFile(out.resolve("learning/sources/tag.tsv")));
        assertTrue(Files.isRegularFile(out.resolve("targets/dance/labels.tsv")));
        assertEquals(0, Main.run(args), "a re-run of a complete corpus succeeds");
        assertEquals(1, Main.run("synth", "--out", out.toString(), "--tracks", "7", "--seconds", "1",
                "--no-installed-soundbanks"), "other settings into the same folder are refused");
    }

    @Test
    void badRequestsFail() {
        assertEquals(1, Main.run("synth", "--out", tmp.resolve("x").toString(), "--tracks", "0"));
        assertEquals(1, Main.run("synth", "--out", tmp.resolve("y").toString(), "--soundbank",
                tmp.resolve("missing.sf2").toString()));
    }
}
