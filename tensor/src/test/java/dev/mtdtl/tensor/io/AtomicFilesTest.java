package dev.mtdtl.tensor.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A write killed before its rename leaves ".NAME.HEX.tmp": the resumed command removes those, and nothing else. */
class AtomicFilesTest {

    @TempDir
    Path tmp;

    @Test
    void staleTemporariesGoAndEverythingElseStays() throws Exception {
        AtomicFiles.writeString(tmp.resolve("a/x.npy"), "done");
        Path[] stale = {tmp.resolve("a/.x.npy.1f2e3d.tmp"), tmp.resolve("a/b/.results.csv.9ab1.tmp"),
                tmp.resolve(".top.json.0.tmp")};
        Path[] kept = {tmp.resolve("a/x.npy"), tmp.resolve("a/.mtdtl.lock"), tmp.resolve("a/notes.tmp"),
                tmp.resolve("a/.x.npy.part"), tmp.resolve("a/.x.npy.zz.tmp"), tmp.resolve("a/b/results.csv")};
        for (Path p : stale) {
            Files.createDirectories(p.getParent());
            Files.writeString(p, "half");
        }
        for (Path p : kept) {
            if (!Files.exists(p)) {
                Files.writeString(p, "mine");
            }
        }
        assertEquals(1, AtomicFiles.removeStaleOf(tmp.resolve("a/x.npy")), "only x.npy's own temporary");
        assertFalse(Files.exists(stale[0]));
        assertTrue(Files.exists(stale[1]) && Files.exists(stale[2]));
        assertEquals(2, AtomicFiles.removeStaleIn(tmp));
        for (Path p : stale) {
            assertFalse(Files.exists(p), p.toString());
        }
        for (Path p : kept) {
            assertTrue(Files.exists(p), p.toString());
        }
        assertEquals(0, AtomicFiles.removeStaleIn(tmp.resolve("missing")));
    }
}
