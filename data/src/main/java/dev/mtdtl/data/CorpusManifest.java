package dev.mtdtl.data;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} at the root of a corpus folder: what the corpus holds and where (paths relative
 * to the folder). Written last by {@code synth} and by the importers, so its presence means the corpus
 * is complete; read by {@code prepare}. The schema (keys, their meaning, an example) is in
 * docs/corpus.md; {@link #read} checks the format name, the version and the keys every consumer needs.
 *
 * <p>Omitted: a typed object model (consumers read the few keys they need from the map).
 */
public final class CorpusManifest {

    public static final String FILE = "manifest.json";
    public static final String FORMAT = "mtdtl-corpus";
    public static final int VERSION = 1;

    private CorpusManifest() {}

    /** Whether a target dataset's name is a plain folder name (its folder under targets/ and in a prepared folder). */
    public static boolean isDatasetName(String name) {
        return name.matches("[A-Za-z0-9_.-]+") && !name.startsWith(".");
    }

    /** Write {@code manifest.json} into {@code dir}, atomically. */
    public static void write(Path dir, Map<String, Object> manifest) throws IOException {
        AtomicFiles.writeString(dir.resolve(FILE), Json.write(manifest, 2) + "\n");
    }

    /**
     * Read and check a corpus manifest; errors name the file. An import a crash interrupted after its commit point is
     * finished first ({@link CorpusCommit}), so the manifest read is the one that lists the tables in place.
     */
    public static Map<String, Object> read(Path dir) throws IOException {
        CorpusCommit.finishBeforeReading(dir);
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IOException(f + ": no corpus manifest (an unfinished synth run, or not a corpus folder)");
        }
        Map<String, Object> m = Json.parseObject(dev.mtdtl.tensor.io.TextFiles.read(f), f.toString());
        if (!FORMAT.equals(m.get("format"))) {
            throw new IOException(f + ": format is " + m.get("format") + ", expected " + FORMAT);
        }
        if (!(m.get("version") instanceof Number v) || v.intValue() != VERSION) {
            throw new IOException(f + ": version " + m.get("version") + ", this build reads version " + VERSION);
        }
        for (String k : List.of("sample_rate", "learning", "targets")) {
            if (!m.containsKey(k)) {
                throw new IOException(f + ": missing key '" + k + "'");
            }
        }
        return m;
    }
}
