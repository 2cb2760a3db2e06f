package dev.mtdtl.tensor.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer per output: a command that writes a resumable output (a corpus, a prepared folder, a training run, a
 * feature folder, an embedding) holds an OS lock on a hidden file beside it while it works, so that the same
 * command started twice by mistake (a second terminal, a repeated {@code nohup}) stops at once with a clear error
 * instead of racing the first: two trainers renamed checkpoints over each other ("Directory not empty"), two
 * writers of one store's part files would interleave their appends.
 *
 * <p>The lock is the OS's ({@link FileChannel#tryLock}: POSIX record locks, which NFSv4 and cluster filesystems
 * support), so a killed process releases it. The file is deleted when the holder finishes (a kill leaves it,
 * empty and unlocked, and the next run takes it). Advisory: it keeps mtdtl commands apart, nothing else.
 */
public final class OutputLock implements AutoCloseable {

    private final Path file;
    private final FileChannel ch;
    private final FileLock lock;

    private OutputLock(Path file, FileChannel ch, FileLock lock) {
        this.file = file;
        this.ch = ch;
        this.lock = lock;
    }

    /** Lock the folder {@code dir} (created if missing) through {@code dir/.mtdtl.lock}. */
    public static OutputLock folder(Path dir) throws IOException {
        return take(dir.resolve(".mtdtl.lock"), dir);
    }

    /** Lock the output file {@code out} (its folder created if missing) through the hidden {@code .NAME.lock} beside it. */
    public static OutputLock file(Path out) throws IOException {
        return take(out.resolveSibling("." + out.getFileName() + ".lock"), out);
    }

    /**
     * {@link #folder}, then the temporaries a killed writer of the folder left anywhere under it deleted
     * ({@link AtomicFiles#removeStaleIn}): what a command that resumes into its own folder takes first.
     */
    public static OutputLock resumeFolder(Path dir) throws IOException {
        OutputLock l = folder(dir);
        try {
            AtomicFiles.removeStaleIn(dir);
            return l;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    /** {@link #file}, then the temporaries a killed writer left of {@code out} and of its companion files deleted. */
    public static OutputLock resumeFile(Path out, Path... companions) throws IOException {
        OutputLock l = file(out);
        try {
            AtomicFiles.removeStaleOf(out);
            for (Path c : companions) {
                AtomicFiles.removeStaleOf(c);
            }
            return l;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private static OutputLock take(Path f, Path what) throws IOException {
        FileChannel ch;
        try {
            Path dir = f.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            // the output first: that is the path the user gave (the lock file beside it is ours)
            throw new IOException(what + ": cannot write: " + (e instanceof java.nio.file.FileSystemException fs
                    && fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName()) + " (creating its lock "
                    + f + ")", e);
        }
        FileLock l = null;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            // held by this JVM already (another thread, or an unclosed holder): the same as another process
        } catch (IOException e) {
            ch.close();
            throw new IOException(what + ": cannot lock " + f + ": " + e.getMessage(), e);
        }
        if (l == null) {
            ch.close();
            throw new IllegalStateException(what + " is being written by another mtdtl command (it holds " + f
                    + "); wait for it to finish, or write elsewhere");
        }
        return new OutputLock(f, ch, l);
    }

    /**
     * Release the lock and delete its file: on POSIX while still holding it (no other holder can have it then); where
     * an open file cannot be deleted (Windows), after closing it, and a file another command took meanwhile stays.
     */
    @Override
    public void close() throws IOException {
        boolean gone = false;
        try {
            Files.deleteIfExists(file);
            gone = true;
        } catch (IOException e) {
            // an open file that cannot be deleted: tried again below, once closed
        }
        try {
            lock.release();
        } finally {
            ch.close();
        }
        if (!gone) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // held again by another command, or not deletable: it is an empty file, harmless
            }
        }
    }
}
