package dev.mtdtl.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk and a read-only folder, on a real size-limited file system: a tmpfs of a few hundred KiB
 * mounted for the test (needs root with CAP_SYS_ADMIN, as on the development machines; skipped with the
 * reason where it cannot be mounted, e.g. unprivileged CI). Each command must exit with status 1 and a
 * message naming the path, leave nothing that looks complete (and no temporary file), and a re-run once
 * there is room must produce the same bytes as a run that never failed.
 */
class DiskFullTest {

    @TempDir
    Path tmp;

    Path mnt;

    static int sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @BeforeEach
    void mount() throws Exception {
        mnt = tmp.resolve("small");
        Files.createDirectories(mnt);
        boolean ok;
        try {
            ok = sh("mount", "-t", "tmpfs", "-o", "size=384k", "tmpfs", mnt.toString()) == 0;
        } catch (IOException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "no tmpfs can be mounted here (needs root and CAP_SYS_ADMIN): disk-full cases "
                + "skipped");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mnt != null) {
            sh("umount", "-l", mnt.toString());
        }
    }

    /** Fill the tmpfs, leaving about {@code free} bytes. */
    void fill(long free) throws Exception {
        Path filler = mnt.resolve("filler");
        Files.deleteIfExists(filler);
        long avail = Files.getFileStore(mnt).getUsableSpace();
        Files.write(filler, new byte[(int) Math.max(0, avail - free)]);
    }

    void assertNothingLeft(Path dir, String... allowed) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<String> names = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("filler") && !List.of(allowed).contains(n)).toList();
            assertTrue(names.stream().noneMatch(n -> n.startsWith(".") || n.endsWith(".tmp")),
                    "temporary files left: " + names);
        }
    }

    @Test
    void extractAndEvaluateOnAFullDiskFailCleanlyAndResume() throws Exception {
        TinyPipeline t = TinyPipeline.get();
        Path ref = tmp.resolve("ref");
        assertEquals(0, FuzzCommandsTest.quiet("extract", "--baseline", "rand", "--dataset", t.genre().toString(),
                "--out", ref.toString(), "--threads", "2").rc());
        fill(2048);
        Path out = mnt.resolve("features");
        FuzzCommandsTest.Outcome o = FuzzCommandsTest.quiet("extract", "--baseline", "rand", "--dataset",
                t.genre().toString(), "--out", out.toString(), "--threads", "2");
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains(out.toString()), o.err());
        assertFalse(Files.exists(out.resolve("features.json")), "nothing that looks complete");
        assertNothingLeft(mnt);
        Path csv = mnt.resolve("results.csv");
        fill(64);
        o = FuzzCommandsTest.quiet("evaluate", "--features", t.mfccFeatures.toString(), "--dataset",
                t.genre().toString(), "--out", csv.toString(), "--repetitions", "1", "--max-epochs", "3");
        assertEquals(1, o.rc(), o.err());
        // the path at fault: the results file, or its protocol sidecar (written first, issue 13)
        assertTrue(o.err().contains(csv.toString()) || o.err().contains(mnt.resolve("results.protocol.json").toString()),
                o.err());
        assertFalse(Files.exists(csv));
        assertNothingLeft(mnt);
        Files.delete(mnt.resolve("filler"));
        o = FuzzCommandsTest.quiet("extract", "--baseline", "rand", "--dataset", t.genre().toString(), "--out",
                out.toString(), "--threads", "2");
        assertEquals(0, o.rc(), o.err());
        for (String f : List.of("features.npy", "tracks.csv", "features.json")) {
            assertArrayEquals(Files.readAllBytes(ref.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
    }

    @Test
    void trainAndPrepareOnAFullDiskFailCleanly() throws Exception {
        TinyPipeline t = TinyPipeline.get();
        Path run = mnt.resolve("run");
        FuzzCommandsTest.Outcome o = FuzzCommandsTest.quiet("train", "--data", t.prepared.toString(), "--out",
                run.toString(), "--strategy", "ssr", "--sources", "tag", "--iterations", "1", "--batch", "4",
                "--valid-every", "0", "--threads", "2");
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains(run.toString()), o.err());
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            assertEquals(List.of(), s.toList(), "no checkpoint, complete or temporary");
        }
        Path prep = mnt.resolve("prepared");
        o = FuzzCommandsTest.quiet("prepare", "--corpus", t.corpus.toString(), "--out", prep.toString(), "--topics",
                "4", "--iterations", "5", "--threads", "2");
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains(prep.toString()), o.err());
        assertFalse(Files.exists(prep.resolve("prepared.json")));
        assertNothingLeft(mnt);
    }

    @Test
    void aReadOnlyFolderIsNamed() throws Exception {
        TinyPipeline t = TinyPipeline.get();
        assertEquals(0, sh("mount", "-o", "remount,ro", mnt.toString()));
        Path out = mnt.resolve("features");
        FuzzCommandsTest.Outcome o = FuzzCommandsTest.quiet("extract", "--baseline", "mfcc", "--dataset",
                t.genre().toString(), "--out", out.toString());
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains(out.toString()) && o.err().contains("Read-only"), o.err());
        Path npy = mnt.resolve("x.npy");
        Path wav;
        try (Stream<Path> s = Files.walk(t.corpus.resolve("targets/genre"))) {
            wav = s.filter(p -> p.toString().endsWith(".wav")).findFirst().orElseThrow();
        }
        o = FuzzCommandsTest.quiet("mel", "--in", wav.toString(), "--out", npy.toString());
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains(npy.toString()), o.err());
    }
}
