package dev.mtdtl.data;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.OutputLock;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How an import's staged tables become the corpus's, all or nothing even across a crash (docs/prepare.md).
 *
 * <p>A corpus is many files (tracks.tsv and each source's table, each target dataset's labels and split) that
 * {@code manifest.json} ties together, and no filesystem renames several files at once. So the commit is a
 * roll-forward journal: the import writes the new manifest into its staging folder, then renames that whole
 * folder to {@code .import.commit} in the corpus (one atomic rename: the commit point), then moves each file
 * from it into place, the manifest last, and deletes the folder. A crash before the commit point leaves the old
 * corpus whole (the staging folder is a temporary the next import deletes); after it, {@code .import.commit}
 * holds the files not yet moved and the manifest that lists them all, and {@link #rollForward} moves the rest
 * (files already moved are simply no longer there). Whoever opens the corpus next finishes it first: the next
 * import under its lock, and {@link CorpusManifest#read} (prepare) after taking that lock, so nothing ever reads
 * the new tables beside the old manifest.
 */
public final class CorpusCommit {

    /** The folder that holds a committed import's files until they are all in place. */
    public static final String DIR = ".import.commit";

    private CorpusCommit() {}

    /**
     * Commit a staging folder: {@code stage} holds the new files at their corpus-relative paths (and no
     * manifest.json of its own); {@code manifest} is the corpus's new manifest. Call under the corpus's lock.
     */
    public static void commit(Path dir, Path stage, Map<String, Object> manifest) throws IOException {
        AtomicFiles.writeString(stage.resolve(CorpusManifest.FILE), Json.write(manifest, 2) + "\n");
        move(stage, dir.resolve(DIR));   // the commit point
        rollForward(dir);
    }

    /**
     * Finish a commit a crash interrupted ({@code dir/.import.commit} exists): move its files into place, the
     * manifest last, and delete it. Returns whether there was one. Call under the corpus's lock.
     */
    public static boolean rollForward(Path dir) throws IOException {
        Path c = dir.resolve(DIR);
        if (!Files.isDirectory(c)) {
            return false;
        }
        Path manifest = c.resolve(CorpusManifest.FILE);
        List<Path> files;
        try (Stream<Path> s = Files.walk(c)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.equals(manifest)).sorted().toList();
        }
        for (Path f : files) {
            Path to = dir.resolve(c.relativize(f).toString());
            Files.createDirectories(to.getParent());
            move(f, to);
        }
        if (Files.isRegularFile(manifest)) {
            move(manifest, dir.resolve(CorpusManifest.FILE));
        }
        try (Stream<Path> s = Files.walk(c)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        return true;
    }

    /**
     * For a reader of the corpus: finish an interrupted commit, if there is one, under the corpus's lock (an import
     * that holds it now is refused by {@link OutputLock} with a message naming it). Takes the lock only when there is
     * something to finish, so a read-only corpus is read as before.
     */
    static void finishBeforeReading(Path dir) throws IOException {
        if (Files.isDirectory(dir.resolve(DIR))) {
            try (OutputLock l = OutputLock.folder(dir)) {
                rollForward(dir);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException x) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
