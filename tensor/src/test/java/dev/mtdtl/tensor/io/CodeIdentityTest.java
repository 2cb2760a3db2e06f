package dev.mtdtl.tensor.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A build's identity: what the jar holds, not when it was built. */
class CodeIdentityTest {

    @TempDir
    Path tmp;

    /** A jar of these entries, each stamped with {@code time}, written in the given order. */
    static Path jar(Path f, long time, Map<String, String> entries) throws IOException {
        try (OutputStream o = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(o)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setTime(time);
                z.putNextEntry(ze);
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return f;
    }

    @Test
    void twoBuildsOfTheSameContentAreOneBuildAndAnyChangedEntryIsAnother() throws Exception {
        Path a = jar(tmp.resolve("a.jar"), 1_000_000_000_000L, Map.of("dev/A.class", "one", "dev/B.class", "two"));
        // built a day later, entries in the other order: Maven's timestamps and the writer's order are not the code
        Path b = jar(tmp.resolve("b.jar"), 1_000_086_400_000L,
                new java.util.TreeMap<>(Map.of("dev/B.class", "two", "dev/A.class", "one")).descendingMap());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "the two jars' bytes differ");
        String id = CodeIdentity.of(a);
        assertTrue(id.matches("jar:[0-9a-f]{16}"), id);
        assertEquals(id, CodeIdentity.of(b));
        // one byte of one class, one entry more, one renamed: each another build
        assertNotEquals(id, CodeIdentity.of(jar(tmp.resolve("c.jar"), 0, Map.of("dev/A.class", "one", "dev/B.class",
                "twO"))));
        assertNotEquals(id, CodeIdentity.of(jar(tmp.resolve("d.jar"), 0, Map.of("dev/A.class", "one", "dev/B.class",
                "two", "dev/C.class", ""))));
        assertNotEquals(id, CodeIdentity.of(jar(tmp.resolve("e.jar"), 0, Map.of("dev/A.class", "one", "dev/C.class",
                "two"))));
    }

    @Test
    void aFileThatIsNoJarIsNamedAndCodeFromClassFoldersIsUnpackaged() throws Exception {
        Path f = Files.writeString(tmp.resolve("x.jar"), "not a zip");
        IOException e = assertThrows(IOException.class, () -> CodeIdentity.of(f));
        assertTrue(e.getMessage().startsWith(f + ": not a jar"), e.getMessage());
        // these tests run from target/classes
        assertNull(CodeIdentity.runningJar());
        assertEquals(CodeIdentity.UNPACKAGED, CodeIdentity.current());
    }
}
