package dev.mtdtl.data.importers;

import dev.mtdtl.data.CorpusCommit;
import dev.mtdtl.data.CorpusManifest;
import dev.mtdtl.data.Tsv;
import dev.mtdtl.dsp.AudioFiles;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.OutputLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the importers share: a corpus folder whose {@code manifest.json} (docs/corpus.md) is read if it
 * exists and otherwise started empty (a learning corpus of 0 tracks), so importers compose: one run adds
 * the learning corpus (MSD), others add target datasets (GTZAN, a labelled folder, Last.fm-1K).
 *
 * <p>One import is one transaction on the corpus. It holds the corpus's {@link OutputLock} (two imports into one
 * corpus would otherwise each rewrite the manifest from the copy they read, and one dataset would vanish from it).
 * Every table is written into a hidden staging folder ({@code .import.HEX.tmp}) while the inputs are read, so an
 * input refused on its millionth line leaves the corpus as it was; {@link #commit} then commits the folder with the
 * new manifest as one journal ({@link CorpusCommit}): a crash before its commit point leaves the old corpus whole
 * (the next import deletes the staging folder), one after it is rolled forward by whoever opens the corpus next.
 *
 * <p>Audio is not copied: the {@code audio} column of an imported tracks.tsv holds the file's absolute
 * path (a manifest path resolved against an absolute path gives that path), so a real dataset is read in
 * place. Omitted: copying or transcoding audio, checksums.
 */
final class CorpusBuilder implements AutoCloseable {

    final Path dir;
    final Map<String, Object> manifest;
    private final OutputLock lock;
    private final Path stage;

    @SuppressWarnings("unchecked")
    CorpusBuilder(Path dir, String name) throws IOException {
        this.dir = dir;
        lock = OutputLock.folder(dir);
        try {
            CorpusCommit.rollForward(dir);   // an import a crash interrupted after its commit point
            removeStaleStages(dir);
            AtomicFiles.removeStaleOf(dir.resolve(CorpusManifest.FILE));
            stage = dir.resolve(".import." + Long.toHexString(System.nanoTime()) + ".tmp");
            if (Files.isRegularFile(dir.resolve(CorpusManifest.FILE))) {
                manifest = CorpusManifest.read(dir);
            } else {
                manifest = new LinkedHashMap<>();
                manifest.put("format", CorpusManifest.FORMAT);
                manifest.put("version", CorpusManifest.VERSION);
                manifest.put("name", name);
                manifest.put("sample_rate", 22050);
                manifest.put("channels", 2);
                manifest.put("audio_format", "any (decoded by dsp.AudioDecoder)");
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("dir", "learning");
                l.put("tracks", "learning/tracks.tsv");
                l.put("count", 0);
                Map<String, Object> src = new LinkedHashMap<>();
                src.put("self", ordered("kind", "self", "model", "none"));
                l.put("sources", src);
                manifest.put("learning", l);
                manifest.put("targets", new LinkedHashMap<String, Object>());
                Tsv.write(stage("learning/tracks.tsv"), TRACK_HEADER, List.of());
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Where to write the corpus file {@code rel} (relative to the corpus, '/'-separated) during the import: a file
     * in the staging folder, moved to {@code dir/rel} by {@link #commit}.
     */
    Path stage(String rel) throws IOException {
        Path f = stage.resolve(rel);
        Files.createDirectories(f.getParent());
        return f;
    }

    /** Move every staged table into the corpus, the manifest last, all or nothing ({@link CorpusCommit}). */
    void commit() throws IOException {
        Files.createDirectories(stage);   // an import may stage nothing but a new manifest
        CorpusCommit.commit(dir, stage, manifest);
    }

    /** Delete the staging folder (whatever was not committed) and release the corpus. */
    @Override
    public void close() throws IOException {
        try {
            deleteTree(stage);
        } finally {
            lock.close();
        }
    }

    /** The staging folders killed imports left (".import.HEX.tmp"); called under the lock. */
    private static void removeStaleStages(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (Files.isDirectory(p) && p.getFileName().toString().matches("\\.import\\.[0-9a-f]+\\.tmp")) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    static final String[] TRACK_HEADER = {"track_id", "artist_id", "artist_name", "audio", "seconds"};

    /** A tracks.tsv row for an audio file read in place. */
    static String[] trackRow(String id, String artist, Path audio) {
        return new String[] {id, artist, artist, audio.toAbsolutePath().normalize().toString(), ""};
    }

    @SuppressWarnings("unchecked")
    void putTarget(String name, Map<String, Object> entry) {
        ((Map<String, Object>) manifest.get("targets")).put(name, entry);
    }

    void putLearning(Map<String, Object> entry) {
        manifest.put("learning", entry);
    }

    /** Audio files under a folder (recursively, hidden ones left out: {@link AudioFiles}), sorted by path text. */
    static List<Path> audioFiles(Path folder) throws IOException {
        return AudioFiles.under(folder, Comparator.comparing(Path::toString));
    }

    /**
     * Audio files under a folder by track id (the file's stem), in path order; two files of one id (x.mp3 beside
     * x.wav, or one id in two subfolders) are refused, naming both, since a corpus has one row per track.
     */
    static Map<String, Path> audioById(Path folder) throws IOException {
        Map<String, Path> m = new LinkedHashMap<>();
        for (Path f : audioFiles(folder)) {
            Path was = m.putIfAbsent(stem(f), f);
            if (was != null) {
                throw new IOException(folder + ": two audio files for track " + stem(f) + ": " + was + " and " + f);
            }
        }
        return m;
    }

    /** A target dataset's name: a plain folder name (what prepare accepts), or an error naming the option. */
    static void checkName(String name) {
        if (!CorpusManifest.isDatasetName(name)) {
            throw new IllegalArgumentException("--name '" + name + "': a dataset name must be a plain folder name "
                    + "(letters, digits, '_', '-', '.'; not starting with '.')");
        }
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int i = n.lastIndexOf('.');
        return i < 0 ? n : n.substring(0, i);
    }

    /**
     * Stratified folds: within each class (in order of first appearance) the items are shuffled with a
     * seeded generator and dealt round-robin to folds 0..F-1. Returns the fold of each item.
     */
    static int[] stratifiedFolds(List<String> labels, int folds, long seed) {
        Map<String, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            byClass.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
        }
        int[] fold = new int[labels.size()];
        Rng rng = new Rng(seed);
        int offset = 0;
        for (List<Integer> items : byClass.values()) {
            for (int i = items.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                Integer t = items.get(i);
                items.set(i, items.get(j));
                items.set(j, t);
            }
            for (int i = 0; i < items.size(); i++) {
                fold[items.get(i)] = (offset + i) % folds;
            }
            offset += items.size();   // keeps fold sizes balanced across classes
        }
        return fold;
    }

    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
