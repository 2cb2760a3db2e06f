package dev.mtdtl.tensor.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * CRC-32 of the files the engine writes (mel stores, their indexes, feature arrays), recorded in the
 * sidecar that is written last and checked by every reader before the data is used. CRC-32 detects
 * every burst error up to 32 bits and any flipped byte; it is a guard against damage (a bad disk, a
 * truncated copy, a kill in the middle of a non-atomic write), not against tampering. Streaming with a
 * 1 MiB buffer: memory stays bounded for files of any size; the cost is one sequential read (CRC32 is
 * an intrinsic of the JVM, several GB/s, so the disk is the limit).
 */
public final class Checksums {

    private Checksums() {}

    /** CRC-32 of a whole file. */
    public static long crc32(Path file) throws IOException {
        CRC32 c = new CRC32();
        updatePrefix(c, file, Files.size(file));
        return c.getValue();
    }

    /**
     * {@code crc} updated with the first {@code n} bytes of a file (a resumable writer's recorded prefix, whose CRC
     * goes on as more bytes are appended); an IOException naming the file if it is shorter.
     */
    public static void updatePrefix(CRC32 crc, Path file, long n) throws IOException {
        if (n == 0) {
            return;   // nothing recorded: the file need not exist
        }
        byte[] buf = new byte[1 << 20];
        long left = n;
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int k = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (k < 0) {
                    throw new IOException(file + ": ends at byte " + (n - left) + " of the " + n + " recorded");
                }
                crc.update(buf, 0, k);
                left -= k;
            }
        }
    }

    /**
     * Throws an IOException naming {@code file} and the sidecar's field unless the file's CRC-32 is
     * {@code want}.
     */
    public static void verify(Path file, long want, Path sidecar, String field) throws IOException {
        long got = crc32(file);
        if (got != want) {
            throw new IOException(file + ": damaged: CRC-32 " + got + " does not match " + sidecar + " field " + field
                    + " (" + want + "); delete it and re-run the command that wrote it");
        }
    }
}
