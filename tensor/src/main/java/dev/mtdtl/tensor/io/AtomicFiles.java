package dev.mtdtl.tensor.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** Atomic file writes: a temporary file beside the target, flushed, then renamed over it. */
public final class AtomicFiles {

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Write {@code file} through {@code writer}; on any failure the target is left as it was and the
     * temporary file is removed. An I/O error of the file system (a full disk, a read-only folder) is
     * rethrown with the target's path in the message, since the JDK's "No space left on device" names none.
     */
    public static void write(Path file, Writer writer) throws IOException {
        try {
            writeOrThrow(file, writer);
        } catch (IOException e) {
            // The JDK names the temporary file (".x.npy.1f2e.tmp: Read-only file system") or nothing at all.
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw e;
            }
            throw new IOException(file + ": cannot write: " + (e instanceof java.nio.file.FileSystemException f
                    && f.getReason() != null ? f.getReason() : e.getMessage()), e);
        }
    }

    private static void writeOrThrow(Path file, Writer writer) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        // A unique name created with CREATE_NEW rather than Files.createTempFile, which would give the
        // final file mode 600: outputs get the user's usual permissions (umask), as any other file.
        Path tmp = dir == null ? Path.of("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp")
                : dir.resolve("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime())
                        + Long.toHexString(Thread.currentThread().getId()) + ".tmp");
        boolean ok = false;
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE), 1 << 16)) {
                writer.write(out);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The name of a temporary of {@link #write}: ".NAME.HEX.tmp"; group 1 is NAME. */
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("\\.(.+)\\.[0-9a-f]+\\.tmp");

    /**
     * Delete the temporaries that writes killed before their rename left anywhere under {@code dir}; returns how
     * many. Only for a folder whose writer holds it alone ({@link OutputLock}): another writer's temporary would go
     * too. Resumed commands call it first, so that an interrupted run leaves nothing behind once it is complete.
     */
    public static int removeStaleIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> stale;
        try (Stream<Path> s = Files.walk(dir)) {
            stale = s.filter(p -> TEMPORARY.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p))
                    .toList();
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
        return stale.size();
    }

    /** {@link #removeStaleIn} for the temporaries of one file only (".NAME.HEX.tmp" beside it). */
    public static int removeStaleOf(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        String name = file.getFileName().toString();
        List<Path> stale;
        try (Stream<Path> s = Files.list(dir)) {
            stale = s.filter(p -> {
                java.util.regex.Matcher m = TEMPORARY.matcher(p.getFileName().toString());
                return m.matches() && m.group(1).equals(name) && Files.isRegularFile(p);
            }).toList();
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
        return stale.size();
    }

    /** Write a string as UTF-8, atomically. */
    public static void writeString(Path file, String s) throws IOException {
        write(file, out -> out.write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
