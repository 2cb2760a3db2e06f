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
        String[] args = {"synth", "--out", out.toString(), "--tracks", "6", "--seconds", "1", "--target-scale", "0.1",
                "--dance-per-class", "6", "--emotion-clips", "20", "--recsys-users", "20", "--no-installed-soundbanks"};
        assertEquals(0, Main.run(args));
        assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
        assertTrue(Files.isRegularFile(out.resolve("learning/sources/tag.tsv")));
        assertTrue(Files.isRegularFile(out.resolve("targets/dance/labels.tsv")));
        // sizes: the scale (40 x 0.1 = 4, raised to the minimum of 5 per class) and the per-target override
        assertEquals(8 * 6 + 1, Files.readAllLines(out.resolve("targets/dance/labels.tsv")).size());
        assertEquals(10 * 5 + 1, Files.readAllLines(out.resolve("targets/genre/labels.tsv")).size());
        assertEquals(20 + 1, Files.readAllLines(out.resolve("targets/emotion/labels.tsv")).size());
        assertEquals(0, Main.run(args), "a re-run of a complete corpus succeeds");
        assertEquals(1, Main.run("synth", "--out", out.toString(), "--tracks", "6", "--seconds", "1", "--target-scale",
                "0.1", "--emotion-clips", "20", "--recsys-users", "20", "--no-installed-soundbanks"),
                "other target sizes into the same folder are refused");
    }

    @Test
    void badRequestsFail() {
        assertEquals(1, Main.run("synth", "--out", tmp.resolve("x").toString(), "--tracks", "0"));
        assertEquals(1, Main.run("synth", "--out", tmp.resolve("z").toString(), "--target-scale", "0"));
        assertEquals(1, Main.run("synth", "--out", tmp.resolve("w").toString(), "--dance-per-class", "4"));
        assertEquals(1, Main.run("synth", "--out", tmp.resolve("y").toString(), "--soundbank",
                tmp.resolve("missing.sf2").toString()));
    }
}
