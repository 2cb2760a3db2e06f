package dev.mtdtl.tensor.io;

import dev.mtdtl.tensor.test.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One writer per output: a second holder, in this JVM or another process, is refused; a killed one releases it. */
class OutputLockTest {

    @TempDir
    Path tmp;

    /** A child that takes the folder's lock, says so, and holds it until killed. */
    public static void main(String[] args) throws Exception {
        try (OutputLock l = OutputLock.folder(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    @Test
    void aSecondWriterIsRefusedAndTheFileGoesWithTheHolder() throws Exception {
        Path dir = tmp.resolve("out");
        try (OutputLock a = OutputLock.folder(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> OutputLock.folder(dir));
            assertTrue(e.getMessage().contains(dir + " is being written by another mtdtl command"), e.getMessage());
            assertTrue(Files.exists(dir.resolve(".mtdtl.lock")));
        }
        assertFalse(Files.exists(dir.resolve(".mtdtl.lock")), "removed by its holder");
        OutputLock.folder(dir).close();   // free again
        Path v = tmp.resolve("emb/v.npy");
        try (OutputLock a = OutputLock.file(v)) {
            assertTrue(Files.exists(tmp.resolve("emb/.v.npy.lock")));
            assertThrows(IllegalStateException.class, () -> OutputLock.file(v));
        }
    }

    @Test
    void anotherProcessHoldingItRefusesUsAndItsKillFreesIt() throws Exception {
        Path dir = tmp.resolve("shared");
        Path log = tmp.resolve("child.log");
        ChildJvm.Child c = ChildJvm.start(ChildJvm.thisJava(), List.of(), Map.of(), OutputLockTest.class, log,
                "lock holder", dir.toString());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!(Files.exists(log) && Files.readString(log).contains("locked"))) {
            assertTrue(System.nanoTime() < deadline && c.process().isAlive(), "the child took the lock: "
                    + (Files.exists(log) ? Files.readString(log) : ""));
            Thread.sleep(50);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OutputLock.folder(dir));
        assertTrue(e.getMessage().contains("being written by another mtdtl command"), e.getMessage());
        c.process().destroyForcibly();   // SIGKILL: the OS releases the lock; the empty file stays
        c.process().waitFor();
        assertTrue(Files.exists(dir.resolve(".mtdtl.lock")));
        OutputLock.folder(dir).close();
    }
}
