package dev.mtdtl.embed;

import dev.mtdtl.dsp.AudioDamage;
import dev.mtdtl.dsp.TestAudio;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A folder with a damaged file embeds every file; the damaged file's notes reach {@link Embedder#embedAll}'s caller
 * (its first pass runs on a pool thread, where a watch of the caller's would not see it), and the command's last line
 * counts the files.
 */
class EmbedDamageTest {

    @TempDir
    Path tmp;

    @Test
    void aDamagedFileIsEmbeddedAndCounted() throws Exception {
        Path model = TinyModel.write(tmp);
        Path dir = tmp.resolve("in");
        Files.createDirectories(dir);
        Files.write(dir.resolve("a.flac"), TestAudio.damagedFlac(40, 1));
        Files.write(dir.resolve("b.flac"), TestAudio.damagedFlac(40, 2, 3, 7));
        Files.write(dir.resolve("c.flac"), TestAudio.damagedFlac(20, 3));
        Embedder e = Embedder.load(model);
        List<Path> files = List.of(dir.resolve("a.flac"), dir.resolve("b.flac"), dir.resolve("c.flac"));
        List<String> notes = new ArrayList<>();
        float[][] vectors = new float[3][];
        e.embedAll(files, (i, v) -> vectors[i] = v, (i, note) -> notes.add(i + " " + note.count() + " " + note.unit()));
        assertEquals(List.of("1 2 damaged FLAC frame"), notes);
        assertArrayEquals(e.embed(files.get(1)), vectors[1], "the damaged file's vector, as one file alone");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        EmbedMain.embedAll(e, dir, tmp.resolve("v.npy"), new PrintStream(log, true, StandardCharsets.UTF_8));
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.strip().endsWith("; 1 of the files embedded now had damaged audio (their lines above say what "
                + "the decoder left out)"), said);
        try (AudioDamage.Watch w = AudioDamage.watch(false)) {   // quiet: the one-file path is the caller's thread
            e.embed(files.get(1));
            assertEquals(1, w.notes().size());
        }
    }
}
