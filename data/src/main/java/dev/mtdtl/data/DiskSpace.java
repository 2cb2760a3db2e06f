package dev.mtdtl.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free space for the commands that write much (mel stores, the synthetic corpus): they compare what they will write
 * with it before the work, instead of failing at the write that fills the disk an hour in.
 */
public final class DiskSpace {

    private DiskSpace() {}

    /**
     * Usable bytes on the file system of {@code dir}; {@code Long.MAX_VALUE} when it cannot be told. Callers take 0 as
     * "cannot tell" too (some network and FUSE mounts report it); a disk that is really full then fails at the next
     * write, naming the file.
     */
    public static long usable(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** {@code bytes} in GB with two decimals (10^9 bytes, as disks are sold). */
    public static String gb(double bytes) {
        return String.format(java.util.Locale.ROOT, "%,.2f GB", bytes / 1e9);
    }
}
