package dev.mtdtl.dsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where a decoder's note of a damaged file goes ({@link AudioDamage}): standard error without a watch, standard error
 * and the watch with one, the watch alone with a quiet one; a watch inside another hides it until closed; a watch on
 * one thread sees nothing of another thread's decodes.
 */
class AudioDamageTest {

    @TempDir
    Path dir;

    /** What {@code run} prints on standard error (the notes' lines). */
    private static String stderrOf(IoRunnable run) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(err);
        }
        return said.toString(StandardCharsets.UTF_8);
    }

    private interface IoRunnable {
        void run() throws Exception;
    }

    @Test
    void notesGoToStandardErrorAndTheThreadsWatch() throws Exception {
        Path a = dir.resolve("a.flac");
        Path b = dir.resolve("b.flac");
        Files.write(a, TestAudio.damagedFlac(6, 1, 2));
        Files.write(b, TestAudio.damagedFlac(6, 2, 1, 4));
        String lineA = "mtdtl: " + a + ": 1 damaged FLAC frame replaced by silence (frame at byte ";
        String lineB = "mtdtl: " + b + ": 2 damaged FLAC frames replaced by silence (the first: frame at byte ";

        // no watch: printed
        String said = stderrOf(() -> AudioDecoder.decode(a));
        assertEquals(true, said.startsWith(lineA), said);

        // a watch: printed and kept; a quiet watch inside it keeps b's note alone and prints nothing
        AtomicReference<List<AudioDamage.Note>> inner = new AtomicReference<>();
        AtomicReference<List<AudioDamage.Note>> outer = new AtomicReference<>();
        said = stderrOf(() -> {
            try (AudioDamage.Watch w = AudioDamage.watch()) {
                AudioDecoder.decode(a);
                try (AudioDamage.Watch q = AudioDamage.watch(false)) {
                    AudioDecoder.decode(b);
                    inner.set(q.notes());
                }
                outer.set(w.notes());
            }
        });
        assertEquals(1, said.lines().count(), said);
        assertEquals(true, said.startsWith(lineA), said);
        assertEquals(1, outer.get().size());
        assertEquals(a, outer.get().get(0).file());
        assertEquals(1, inner.get().size());
        assertEquals(2, inner.get().get(0).count());
        assertEquals(true, inner.get().get(0).line().startsWith(lineB), inner.get().get(0).line());

        // closed: nothing kept any more; another thread's decode is not this thread's watch's
        try (AudioDamage.Watch w = AudioDamage.watch(false)) {
            Thread t = new Thread(() -> {
                try {
                    AudioDecoder.decode(a);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            stderrOf(() -> {
                t.start();
                t.join();
            });
            assertEquals(List.of(), w.notes());
        }
    }
}
