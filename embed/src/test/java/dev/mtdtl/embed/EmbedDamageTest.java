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
        Path list = tmp.resolve("v.npy.damaged.txt");
        assertTrue(said.strip().endsWith("; 1 of the files had damaged audio (" + list + " lists it and what the "
                + "decoder left out)"), said);
        assertEquals("b.flac\t2 damaged FLAC frames replaced by silence (the first: frame at byte "
                + String.format(java.util.Locale.ROOT, "%,d", TestAudio.frameStarts(TestAudio.damagedFlac(40, 2), 40, 22050)[3]) + ", about 0.6 s in)\n", Files.readString(list));
        try (AudioDamage.Watch w = AudioDamage.watch(false)) {   // quiet: the one-file path is the caller's thread
            e.embed(files.get(1));
            assertEquals(1, w.notes().size());
        }
    }

    /**
     * A run that skips a file that is not audio keeps its vectors; after the file is mended, the same command embeds
     * only it and still lists the damaged files the first run embedded (the part keeps their notes), with the one it
     * embeds itself, in the folder's order; a later run into the same output from whole audio removes the list.
     */
    @Test
    void aResumedRunListsTheEarlierRunsDamagedFiles() throws Exception {
        Path model = TinyModel.write(tmp);
        Path dir = tmp.resolve("stop");
        Files.createDirectories(dir);
        Files.write(dir.resolve("a.flac"), TestAudio.damagedFlac(40, 1, 5));
        Files.write(dir.resolve("b.flac"), TestAudio.damagedFlac(40, 2));
        Files.writeString(dir.resolve("c.flac"), "not audio");
        Files.write(dir.resolve("d.flac"), TestAudio.damagedFlac(30, 4, 1, 2, 20));
        Path out = tmp.resolve("s.npy");
        Embedder e = Embedder.load(model);
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        assertEquals(1, EmbedMain.embedAll(e, dir, out, quiet), "c skipped");
        Path list = tmp.resolve("s.npy.damaged.txt");
        assertEquals(2, Files.readAllLines(list).size(), "a and d");

        Files.write(dir.resolve("c.flac"), TestAudio.damagedFlac(20, 3, 4));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(0, EmbedMain.embedAll(e, dir, out, new PrintStream(log, true, StandardCharsets.UTF_8)));
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("resuming: 3 of 4 files embedded by an earlier run"), said);
        assertTrue(said.strip().endsWith("; 3 of the files had damaged audio (" + list + " lists them and what the "
                + "decoder left out; 2 embedded by an earlier run)"), said);
        List<String> lines = Files.readAllLines(list);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("a.flac\t1 damaged FLAC frame replaced by silence (frame at byte "),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("c.flac\t1 damaged FLAC frame replaced by silence (frame at byte "),
                lines.get(1));
        assertTrue(lines.get(2).startsWith("d.flac\t3 damaged FLAC frames replaced by silence (the first: "),
                lines.get(2));

        Files.write(dir.resolve("a.flac"), TestAudio.damagedFlac(40, 1));
        Files.write(dir.resolve("c.flac"), TestAudio.damagedFlac(20, 3));
        Files.write(dir.resolve("d.flac"), TestAudio.damagedFlac(30, 4));
        assertEquals(0, EmbedMain.embedAll(e, dir, out, quiet));
        assertTrue(!Files.exists(list), "whole audio: no list left from the run before");
    }
}
