package dev.mtdtl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A command that runs out of heap says so, with the limit it had and how to raise it, and exits with status 1:
 * found importing a paper-size MSD (1 M tracks) with -Xmx384m, which ended as "Exception in thread main
 * java.lang.OutOfMemoryError" and a stack trace.
 */
class OutOfMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void aCommandOutOfHeapNamesTheLimitAndHowToRaiseIt() throws Exception {
        // unique_tracks of 400,000 tracks: the import's song and artist maps need far more than a 32 MB heap
        Path unique = tmp.resolve("unique_tracks.txt");
        try (BufferedWriter w = Files.newBufferedWriter(unique)) {
            for (int i = 0; i < 400_000; i++) {
                w.write(String.format("TR%016X<SEP>SO%016X<SEP>Artist %d<SEP>Title %d%n", i, i, i % 1000, i));
            }
        }
        Path audio = Files.createDirectories(tmp.resolve("previews"));
        Files.createFile(audio.resolve("TR0000000000000000.mp3"));
        Path corpus = tmp.resolve("corpus");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "-Xmx32m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "import", "msd", "--corpus",
                corpus.toString(), "--audio", audio.toString(), "--unique-tracks", unique.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("mtdtl import msd: out of memory (Java heap space) with a heap of at most")
                && out.contains("MTDTL_JAVA_OPTS=-Xmx1g"), out);
        assertFalse(out.contains("Exception in thread") || out.contains("\tat "), out);
        assertFalse(Files.exists(corpus.resolve("manifest.json")), "nothing committed");
    }

    @Test
    void theSuggestedHeapDoublesTheOneThatRanOut() {
        OutOfMemoryError e = new OutOfMemoryError("Java heap space");
        assertTrue(Main.outOfMemory("mtdtl x", e, 256L << 20).contains("at most 256 MB; give the JVM more, e.g. "
                + "MTDTL_JAVA_OPTS=-Xmx1g"));
        assertTrue(Main.outOfMemory("mtdtl x", e, 1024L << 20).contains("-Xmx2g"));
        assertTrue(Main.outOfMemory("mtdtl x", e, 6000L << 20).contains("-Xmx16g"));
    }
}
